#include "platform_dl.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "elf_dynamic.h"
#endif

namespace ovcache::dl {

#if defined(_WIN32)

namespace {

std::wstring Widen(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string LastErrorText() {
  DWORD code = GetLastError();
  char* buffer = nullptr;
  DWORD n = FormatMessageA(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<char*>(&buffer), 0, nullptr);
  std::string text = n > 0 ? std::string(buffer, n) : "error " + std::to_string(code);
  if (buffer != nullptr) LocalFree(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

std::vector<std::string> DependencyFolders(const std::string& path) {
  size_t slash = path.find_last_of("\\/");
  return {slash == std::string::npos ? std::string(".") : path.substr(0, slash)};
}

void* Open(const std::string& path, OpenError* error) {
  // Search the DLL's own folder for its dependencies (openvino.dll, TBB, plugins).
  error->searched = DependencyFolders(path);
  const DWORD flags = LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS;
  HMODULE module = LoadLibraryExW(Widen(path).c_str(), nullptr, flags);
  if (module == nullptr) module = LoadLibraryW(Widen(path).c_str());
  if (module == nullptr) error->text = LastErrorText();
  return reinterpret_cast<void*>(module);
}

void* Symbol(void* library, const char* name) {
  return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(library), name));
}

#else

namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string RealPath(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return std::string();
  std::string out = resolved;
  std::free(resolved);
  return out;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// <root>/runtime/3rdparty/tbb/lib for a folder <root>/runtime/lib/<arch>[/Release], else "".
std::string ArchiveTbbFolder(std::string folder) {
  if (BaseName(folder) == "Release") folder = DirName(folder);
  std::string lib = DirName(folder);  // above <arch>
  if (BaseName(lib) != "lib") return std::string();
  std::string runtime = DirName(lib);
  if (BaseName(runtime) != "runtime") return std::string();
  return runtime + "/3rdparty/tbb/lib";
}

std::string LastDlError() {
  const char* text = dlerror();
  return text != nullptr ? text : "unknown dlopen error";
}

// glibc names a NEEDED library it could not find as "<soname>: cannot open shared object file:
// No such file or directory"; the library itself, when absent, by its path (with a slash).
std::string MissingDependency(const std::string& loader_text) {
  static const std::string kMarker = ": cannot open shared object file";
  size_t at = loader_text.find(kMarker);
  if (at == std::string::npos) return std::string();
  std::string name = loader_text.substr(0, at);
  return name.find('/') == std::string::npos ? name : std::string();
}

#if defined(__ELF__)

// Whether another user could have put this file or folder there: owned by someone other than
// this user or root, or writable by every user. The loader never preloads from such a place.
bool OthersCanWrite(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return true;
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) return true;
  return (st.st_mode & S_IWOTH) != 0;
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Whether an object with this soname is loaded in the process already: glibc binds a NEEDED
// entry to it whatever folder it came from, so it must not be opened again from ours.
bool AlreadyLoaded(const std::string& soname) {
  void* handle = dlopen(soname.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) {
    dlerror();  // clear
    return false;
  }
  dlclose(handle);
  return true;
}

// The runtime's own libraries a C library needs, deepest first, found by soname in its own
// folder and then in the layout's folders. Invariant: each soname is looked at once.
class DependencyWalk {
 public:
  // A runtime needs a few dozen libraries: a file naming more is no runtime (and walking it
  // would hold the event loop).
  static constexpr size_t kMaxNeeded = 512;

  explicit DependencyWalk(std::vector<std::string> folders) : folders_(std::move(folders)) {}

  void Visit(const std::string& file) {
    elf::DynamicSection dynamic;
    std::string why;
    if (!elf::ReadDynamicSection(file, &dynamic, &why)) return;  // dlopen reports the file
    for (const std::string& soname : dynamic.needed) {
      if (seen_.size() >= kMaxNeeded) return;
      if (!seen_.insert(soname).second) continue;
      needed_by_[soname] = file;
      if (soname.find('/') != std::string::npos || AlreadyLoaded(soname)) continue;
      std::string found = Find(soname, DirName(file));
      if (found.empty()) continue;  // a system library (or missing): the loader decides
      Visit(found);
      order_.push_back(found);
    }
  }

  const std::vector<std::string>& order() const { return order_; }

  std::string NeededBy(const std::string& soname) const {
    auto it = needed_by_.find(soname);
    return it == needed_by_.end() ? std::string() : it->second;
  }

 private:
  // Invariant: a library is preloaded only from a folder, and as a file, that no other user
  // can have written; anything else is left to the system loader, as without ovcache.
  std::string Find(const std::string& soname, const std::string& own_folder) const {
    std::vector<std::string> candidates{own_folder};
    candidates.insert(candidates.end(), folders_.begin(), folders_.end());
    for (const std::string& folder : candidates) {
      std::string file = folder + "/" + soname;
      if (IsRegularFile(file) && !OthersCanWrite(folder) && !OthersCanWrite(file)) return file;
    }
    return std::string();
  }

  std::vector<std::string> folders_;
  std::set<std::string> seen_;
  std::map<std::string, std::string> needed_by_;
  std::vector<std::string> order_;
};

#endif

}  // namespace

std::vector<std::string> DependencyFolders(const std::string& path) {
  std::vector<std::string> folders;
  auto add = [&](const std::string& folder) {
    if (!folder.empty() && std::find(folders.begin(), folders.end(), folder) == folders.end())
      folders.push_back(folder);
  };
  add(DirName(path));
  std::string real = RealPath(path);
  if (!real.empty()) add(DirName(real));
  // Only the archive's layout adds a folder: TBB in <root>/runtime/3rdparty/tbb/lib beside
  // runtime/lib/<arch>[/Release]. No other ancestor is ever searched.
  const std::vector<std::string> own = folders;
  for (const std::string& start : own) {
    std::string tbb = ArchiveTbbFolder(start);
    if (!tbb.empty() && IsDirectory(tbb)) add(tbb);
  }
  return folders;
}

void* Open(const std::string& path, OpenError* error) {
  error->searched = DependencyFolders(path);
  std::vector<void*> preloaded;
#if defined(__ELF__)
  DependencyWalk walk(error->searched);
  walk.Visit(path);
  auto needed_by = [&](const std::string& soname) { return walk.NeededBy(soname); };
#else
  auto needed_by = [](const std::string&) { return std::string(); };
#endif
  auto fail = [&]() -> void* {
    error->text = LastDlError();
    error->missing = MissingDependency(error->text);
    if (!error->missing.empty()) error->needed_by = needed_by(error->missing);
    for (auto it = preloaded.rbegin(); it != preloaded.rend(); ++it) dlclose(*it);
    return nullptr;
  };
#if defined(__ELF__)
  for (const std::string& file : walk.order()) {
    // RTLD_LOCAL: found by soname when the C library is opened, invisible to everyone else.
    void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return fail();
    preloaded.push_back(handle);
  }
#endif
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return fail();
  // The C library now holds its own references to what was preloaded.
  for (void* handle : preloaded) dlclose(handle);
  return library;
}

void* Symbol(void* library, const char* name) { return dlsym(library, name); }

#endif

}  // namespace ovcache::dl
