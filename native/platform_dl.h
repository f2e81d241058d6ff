// The only platform-specific code: opening a shared library and resolving names in it.
#pragma once

#include <string>

namespace ovcache::dl {

// Opens the library at `path` (UTF-8). Returns nullptr and fills `error` with the loader's
// text (dlerror / FormatMessage) on failure. Libraries are never closed: see runtime_wrap.h.
void* Open(const std::string& path, std::string* error);

// Resolves `name` in an opened library; nullptr when the library does not export it.
void* Symbol(void* library, const char* name);

}  // namespace ovcache::dl
