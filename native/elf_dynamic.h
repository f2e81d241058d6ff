// Reads the dynamic section of an ELF shared library: the sonames it needs (DT_NEEDED), its own
// soname and its RPATH / RUNPATH. Linux (and other ELF platforms) only; pure file reading, no
// loader involved, so it works on a library whose dependencies cannot be found.
#pragma once

#include <string>
#include <vector>

namespace ovcache::elf {

struct DynamicSection {
  std::vector<std::string> needed;  // DT_NEEDED, in file order
  std::string soname;               // DT_SONAME; "" when absent
  std::string rpath;                // DT_RPATH; "" when absent
  std::string runpath;              // DT_RUNPATH; "" when absent
};

// Fills `out` from the file at `path`. Returns false with a reason in `error` when the file
// cannot be read, is not an ELF file of this machine's byte order, or has no dynamic section.
bool ReadDynamicSection(const std::string& path, DynamicSection* out, std::string* error);

}  // namespace ovcache::elf
