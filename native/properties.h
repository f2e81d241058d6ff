// Calling the variadic compile functions with a list of properties known only at run time.
// C varargs cannot be built dynamically, so the call is dispatched on the argument count to
// an instantiation that passes exactly that many `const char*` values (0 .. kMaxPropertyArgs).
#pragma once

#include <string>
#include <vector>

#include "ov_c_api.h"

namespace ovcache {

// property_args_size counts keys AND values: 16 pairs.
constexpr size_t kMaxPropertyArgs = 32;

// Throws OVCACHE_INVALID_ARGUMENT when `props` has more than kMaxPropertyArgs entries.
// An odd count is passed through unchanged (exactly that many strings), so the runtime
// reports it itself (upstream: INVALID_C_PARAM).
// Also refuses (OVCACHE_PROPERTY_UNSUPPORTED) any key whose value the C layer does not read as a
// string (see CheckStringValuedKey).
void CheckPropertyCount(const std::vector<std::string>& props, const char* call);

// GET_PROPERTY_FROM_ARGS_LIST (src/bindings/c/src/common.h) reads the value of
// CACHE_ENCRYPTION_CALLBACKS as an ov_encryption_callbacks* and later calls its function
// pointers; every other key's value as a char*. A string there would be called as code, so that
// key is refused (OVCACHE_PROPERTY_UNSUPPORTED) before any call.
void CheckStringValuedKey(const std::string& key, const char* call);

ov_status_e CompileModelWithProperties(decltype(&ov_core_compile_model) fn, const ov_core_t* core,
                                       const ov_model_t* model, const char* device,
                                       const std::vector<std::string>& props,
                                       ov_compiled_model_t** compiled);

ov_status_e CompileFileWithProperties(decltype(&ov_core_compile_model_from_file) fn,
                                      const ov_core_t* core, const char* path, const char* device,
                                      const std::vector<std::string>& props,
                                      ov_compiled_model_t** compiled);

}  // namespace ovcache
