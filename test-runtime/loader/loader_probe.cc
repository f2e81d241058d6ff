// Loads a C library the way the addon does (native/platform_dl.cc, compiled in) or with plain
// dlopen, and prints one JSON line: what loaded, what leaked into the global scope and which
// devices the runtime lists. Linked with no RPATH: nothing but the loader under test finds the
// runtime's libraries. Test infrastructure (test/runtime/loader.test.ts).
//
//   loader_probe plain <lib>              dlopen(lib, RTLD_NOW | RTLD_LOCAL): the old loader
//   loader_probe ovcache <lib> [dep...]   dlopen each dep by full path (as other code of the
//                                         process could have), then ovcache::dl::Open(lib)
//   loader_probe preload <lib> <dep>...   dlopen each dep by full path (RTLD_NOW | RTLD_LOCAL),
//                                         then dlopen(lib): glibc's soname matching, bare
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ov_c_api.h"
#include "platform_dl.h"

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + Quote(items[i]);
  return out + "]";
}

// Names a runtime library exports that must not be visible through the global scope.
std::vector<std::string> GlobalLeaks() {
  std::vector<std::string> leaks;
  for (const char* name : {"ov_core_create", "ov_stub_core_registered_devices",
                           "TBB_runtime_interface_version", "create_plugin_engine"}) {
    if (dlsym(RTLD_DEFAULT, name) != nullptr) leaks.push_back(name);
  }
  return leaks;
}

std::vector<std::string> Devices(void* library) {
  std::vector<std::string> out;
  using CoreCreate = ov_status_e (*)(ov_core_t**);
  using GetDevices = ov_status_e (*)(const ov_core_t*, ov_available_devices_t*);
  using FreeDevices = void (*)(ov_available_devices_t*);
  using CoreFree = void (*)(ov_core_t*);
  auto create = reinterpret_cast<CoreCreate>(dlsym(library, "ov_core_create"));
  auto get = reinterpret_cast<GetDevices>(dlsym(library, "ov_core_get_available_devices"));
  auto free_devices = reinterpret_cast<FreeDevices>(dlsym(library, "ov_available_devices_free"));
  auto free_core = reinterpret_cast<CoreFree>(dlsym(library, "ov_core_free"));
  ov_core_t* core = nullptr;
  if (!create || !get || !free_devices || !free_core || create(&core) != OK) return out;
  ov_available_devices_t devices{};
  if (get(core, &devices) == OK) {
    for (size_t i = 0; i < devices.size; ++i) out.push_back(devices.devices[i]);
    free_devices(&devices);
  }
  free_core(core);
  return out;
}

// The files of the process's mapped libraries whose name starts with `prefix` (/proc/self/maps).
std::vector<std::string> MappedFiles(const std::string& prefix) {
  std::vector<std::string> out;
  FILE* maps = std::fopen("/proc/self/maps", "r");
  if (maps == nullptr) return out;
  char line[4096];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    const char* slash = std::strchr(line, '/');
    if (slash == nullptr) continue;
    std::string file(slash);
    while (!file.empty() && (file.back() == '\n' || file.back() == ' ')) file.pop_back();
    std::string base = file.substr(file.rfind('/') + 1);
    if (base.rfind(prefix, 0) == 0 && std::find(out.begin(), out.end(), file) == out.end())
      out.push_back(file);
  }
  std::fclose(maps);
  return out;
}

int Loaded(void* library) {
  std::printf("{\"loaded\":true,\"globalLeaks\":%s,\"devices\":%s,\"tbb\":%s}\n",
              List(GlobalLeaks()).c_str(), List(Devices(library)).c_str(),
              List(MappedFiles("libtbb")).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: loader_probe plain|ovcache|preload <lib> [dep...]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const std::string lib = argv[2];
  if (mode == "ovcache") {
    // Libraries some other code of the process loaded before (RTLD_LOCAL, by full path).
    for (int i = 3; i < argc; ++i) {
      if (dlopen(argv[i], RTLD_NOW | RTLD_LOCAL) == nullptr) {
        std::printf("{\"loaded\":false,\"text\":%s}\n", Quote(dlerror()).c_str());
        return 1;
      }
    }
    ovcache::dl::OpenError error;
    void* library = ovcache::dl::Open(lib, &error);
    if (library != nullptr) return Loaded(library);
    std::printf("{\"loaded\":false,\"text\":%s,\"missing\":%s,\"neededBy\":%s,\"searched\":%s}\n",
                Quote(error.text).c_str(), Quote(error.missing).c_str(),
                Quote(error.needed_by).c_str(), List(error.searched).c_str());
    return 1;
  }
  if (mode == "preload") {
    for (int i = 3; i < argc; ++i) {
      if (dlopen(argv[i], RTLD_NOW | RTLD_LOCAL) == nullptr) {
        std::printf("{\"loaded\":false,\"text\":%s}\n", Quote(dlerror()).c_str());
        return 1;
      }
    }
  } else if (mode != "plain") {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  void* library = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library != nullptr) return Loaded(library);
  std::printf("{\"loaded\":false,\"text\":%s}\n", Quote(dlerror()).c_str());
  return 1;
}
