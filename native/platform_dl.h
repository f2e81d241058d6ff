// The only platform-specific code: opening a shared library and resolving names in it.
#pragma once

#include <string>
#include <vector>

namespace ovcache::dl {

struct OpenError {
  std::string text;       // the loader's text (dlerror / FormatMessage)
  std::string missing;    // a dependency the loader could not find ("libtbb.so.12"), or ""
  std::string needed_by;  // the file that needs `missing`, when known
  std::vector<std::string> searched;  // the folders searched for the runtime's own libraries
};

// Opens the library at `path` (UTF-8) so that its own dependencies are found beside it, as
// Intel lays OpenVINO out, without LD_LIBRARY_PATH and without adding any of its symbols to
// the process's global scope:
//   Windows: LoadLibraryEx with the DLL's folder searched first.
//   ELF (Linux): the libraries the C library needs (DT_NEEDED, recursively), found in its own
//     folder and then in the layout's sibling folders (<root>/runtime/3rdparty/tbb/lib of the
//     archive), are opened first by full path, deepest first, with RTLD_NOW | RTLD_LOCAL;
//     glibc then matches the C library's NEEDED sonames against those loaded objects. What is
//     not found there is left to the system loader (system folders, LD_LIBRARY_PATH).
//   Other platforms (macOS): plain dlopen; the dylibs' own @rpath entries apply.
// Returns nullptr and fills `error` on failure. Libraries are never closed: see runtime_wrap.h.
void* Open(const std::string& path, OpenError* error);

// The folders Open searches for `path`'s dependencies before the system's: its own folder (and
// that of the file a symlink points to), then the layout's sibling folders that exist.
std::vector<std::string> DependencyFolders(const std::string& path);

// Resolves `name` in an opened library; nullptr when the library does not export it.
void* Symbol(void* library, const char* name);

}  // namespace ovcache::dl
