#include "symbols.h"

#include "platform_dl.h"

namespace ovcache {

void Symbols::Load(void* opened_library, const std::string& path) {
  library = opened_library;
  library_path = path;
#define OVCACHE_RESOLVE_SYMBOL(name) \
  name = reinterpret_cast<decltype(name)>(dl::Symbol(opened_library, #name));
  OVCACHE_FUNCTIONS(OVCACHE_RESOLVE_SYMBOL)
#undef OVCACHE_RESOLVE_SYMBOL
}

bool Symbols::Has(const char* name) const {
  return library != nullptr && dl::Symbol(library, name) != nullptr;
}

void Symbols::ThrowMissing(const char* name) const {
  throw NativeError("OVCACHE_SYMBOL_MISSING",
                    std::string("The OpenVINO runtime at ") + library_path + " does not export " +
                        name + " (it is older than this function or built without it)",
                    name);
}

}  // namespace ovcache
