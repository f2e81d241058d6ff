#include "elf_dynamic.h"

#if defined(__ELF__)

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ovcache::elf {

namespace {

// Bounds the reads a malformed file could ask for.
constexpr uint64_t kMaxTableBytes = 64u << 20;

class File {
 public:
  explicit File(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  bool ok() const { return fd_ >= 0; }

  // Exactly `size` bytes at `offset`, or false.
  bool Read(uint64_t offset, void* buffer, uint64_t size) const {
    auto* out = static_cast<char*>(buffer);
    while (size > 0) {
      ssize_t n = ::pread(fd_, out, size, static_cast<off_t>(offset));
      if (n <= 0) return false;
      out += n;
      offset += static_cast<uint64_t>(n);
      size -= static_cast<uint64_t>(n);
    }
    return true;
  }

 private:
  int fd_;
};

template <typename Ehdr, typename Phdr, typename Dyn>
bool ReadClass(const File& file, DynamicSection* out, std::string* error) {
  Ehdr header{};
  if (!file.Read(0, &header, sizeof header)) return *error = "truncated ELF header", false;
  if (header.e_phentsize != sizeof(Phdr) || header.e_phnum == 0)
    return *error = "no program headers", false;
  std::vector<Phdr> segments(header.e_phnum);
  if (!file.Read(header.e_phoff, segments.data(), sizeof(Phdr) * segments.size()))
    return *error = "truncated program headers", false;

  const Phdr* dynamic = nullptr;
  for (const Phdr& p : segments)
    if (p.p_type == PT_DYNAMIC) dynamic = &p;
  if (dynamic == nullptr) return *error = "no dynamic section (not a shared library)", false;
  if (dynamic->p_filesz > kMaxTableBytes) return *error = "dynamic section too large", false;
  std::vector<Dyn> entries(dynamic->p_filesz / sizeof(Dyn));
  if (!file.Read(dynamic->p_offset, entries.data(), sizeof(Dyn) * entries.size()))
    return *error = "truncated dynamic section", false;

  uint64_t strtab_address = 0;
  uint64_t strtab_size = 0;
  std::vector<uint64_t> needed;
  int64_t soname = -1, rpath = -1, runpath = -1;
  for (const Dyn& d : entries) {
    if (d.d_tag == DT_NULL) break;
    switch (d.d_tag) {
      case DT_STRTAB:
        strtab_address = d.d_un.d_ptr;
        break;
      case DT_STRSZ:
        strtab_size = d.d_un.d_val;
        break;
      case DT_NEEDED:
        needed.push_back(d.d_un.d_val);
        break;
      case DT_SONAME:
        soname = static_cast<int64_t>(d.d_un.d_val);
        break;
      case DT_RPATH:
        rpath = static_cast<int64_t>(d.d_un.d_val);
        break;
      case DT_RUNPATH:
        runpath = static_cast<int64_t>(d.d_un.d_val);
        break;
      default:
        break;
    }
  }
  if (strtab_size == 0 || strtab_size > kMaxTableBytes) return *error = "no string table", false;

  // DT_STRTAB is a virtual address: find the loadable segment holding it.
  uint64_t strtab_offset = 0;
  bool mapped = false;
  for (const Phdr& p : segments) {
    if (p.p_type == PT_LOAD && strtab_address >= p.p_vaddr &&
        strtab_address + strtab_size <= p.p_vaddr + p.p_filesz) {
      strtab_offset = strtab_address - p.p_vaddr + p.p_offset;
      mapped = true;
      break;
    }
  }
  if (!mapped) return *error = "string table outside the loadable segments", false;
  std::string strings(strtab_size, '\0');
  if (!file.Read(strtab_offset, strings.data(), strtab_size))
    return *error = "truncated string table", false;

  auto at = [&](uint64_t offset) -> std::string {
    if (offset >= strings.size()) return std::string();
    return std::string(strings.c_str() + offset);  // NUL-terminated inside the table
  };
  for (uint64_t offset : needed) {
    std::string name = at(offset);
    if (!name.empty()) out->needed.push_back(std::move(name));
  }
  if (soname >= 0) out->soname = at(static_cast<uint64_t>(soname));
  if (rpath >= 0) out->rpath = at(static_cast<uint64_t>(rpath));
  if (runpath >= 0) out->runpath = at(static_cast<uint64_t>(runpath));
  return true;
}

}  // namespace

bool ReadDynamicSection(const std::string& path, DynamicSection* out, std::string* error) {
  File file(path);
  if (!file.ok()) return *error = std::string("cannot open: ") + std::strerror(errno), false;
  unsigned char ident[EI_NIDENT] = {};
  if (!file.Read(0, ident, sizeof ident) || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
    return *error = "not an ELF file", false;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const unsigned char host_order = ELFDATA2LSB;
#else
  const unsigned char host_order = ELFDATA2MSB;
#endif
  if (ident[EI_DATA] != host_order) return *error = "ELF file of another byte order", false;
  if (ident[EI_CLASS] == ELFCLASS64)
    return ReadClass<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(file, out, error);
  if (ident[EI_CLASS] == ELFCLASS32)
    return ReadClass<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(file, out, error);
  return *error = "unknown ELF class", false;
}

}  // namespace ovcache::elf

#else  // not an ELF platform (Windows, macOS): nothing to read.

namespace ovcache::elf {

bool ReadDynamicSection(const std::string&, DynamicSection*, std::string* error) {
  *error = "not an ELF platform";
  return false;
}

}  // namespace ovcache::elf

#endif
