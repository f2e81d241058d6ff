// The symbol table: every C API function the addon may call, resolved by name at load time.
// A missing symbol stays nullptr and fails only when called (OVCACHE_SYMBOL_MISSING), so an
// older runtime works for everything it does export.
#pragma once

#include <string>

#include "ov_c_api.h"
#include "status.h"

// Every function declared in ov_c_api.h, in header order.
#define OVCACHE_FUNCTIONS(X)                     \
  X(ov_get_error_info)                           \
  X(ov_free)                                     \
  X(ov_get_last_err_msg)                         \
  X(ov_get_openvino_version)                     \
  X(ov_version_free)                             \
  X(ov_core_create)                              \
  X(ov_core_free)                                \
  X(ov_core_read_model)                          \
  X(ov_core_compile_model)                       \
  X(ov_core_compile_model_from_file)             \
  X(ov_core_set_property)                        \
  X(ov_core_get_property)                        \
  X(ov_core_get_available_devices)               \
  X(ov_available_devices_free)                   \
  X(ov_core_import_model)                        \
  X(ov_core_get_versions_by_device_name)         \
  X(ov_core_versions_free)                       \
  X(ov_model_free)                               \
  X(ov_model_inputs_size)                        \
  X(ov_model_outputs_size)                       \
  X(ov_model_const_input_by_index)               \
  X(ov_model_const_output_by_index)              \
  X(ov_model_input_by_name)                      \
  X(ov_model_reshape)                            \
  X(ov_model_reshape_input_by_name)              \
  X(ov_model_is_dynamic)                         \
  X(ov_model_get_friendly_name)                  \
  X(ov_port_get_any_name)                        \
  X(ov_port_get_partial_shape)                   \
  X(ov_port_get_element_type)                    \
  X(ov_const_port_get_shape)                     \
  X(ov_port_get_shape)                           \
  X(ov_output_port_free)                         \
  X(ov_output_const_port_free)                   \
  X(ov_dimension_is_dynamic)                     \
  X(ov_rank_is_dynamic)                          \
  X(ov_partial_shape_create)                     \
  X(ov_partial_shape_create_dynamic)             \
  X(ov_partial_shape_create_static)              \
  X(ov_partial_shape_free)                       \
  X(ov_partial_shape_to_shape)                   \
  X(ov_shape_to_partial_shape)                   \
  X(ov_partial_shape_is_dynamic)                 \
  X(ov_partial_shape_to_string)                  \
  X(ov_shape_create)                             \
  X(ov_shape_free)                               \
  X(ov_compiled_model_inputs_size)               \
  X(ov_compiled_model_input_by_index)            \
  X(ov_compiled_model_input_by_name)             \
  X(ov_compiled_model_outputs_size)              \
  X(ov_compiled_model_output_by_index)           \
  X(ov_compiled_model_create_infer_request)      \
  X(ov_compiled_model_set_property)              \
  X(ov_compiled_model_get_property)              \
  X(ov_compiled_model_export_model)              \
  X(ov_compiled_model_free)                      \
  X(ov_infer_request_set_tensor)                 \
  X(ov_infer_request_set_input_tensor_by_index)  \
  X(ov_infer_request_set_input_tensor)           \
  X(ov_infer_request_get_tensor)                 \
  X(ov_infer_request_get_output_tensor_by_index) \
  X(ov_infer_request_get_output_tensor)          \
  X(ov_infer_request_infer)                      \
  X(ov_infer_request_start_async)                \
  X(ov_infer_request_wait)                       \
  X(ov_infer_request_wait_for)                   \
  X(ov_infer_request_cancel)                     \
  X(ov_infer_request_free)                       \
  X(ov_tensor_create)                            \
  X(ov_tensor_create_from_host_ptr)              \
  X(ov_tensor_set_shape)                         \
  X(ov_tensor_get_shape)                         \
  X(ov_tensor_get_element_type)                  \
  X(ov_tensor_get_size)                          \
  X(ov_tensor_get_byte_size)                     \
  X(ov_tensor_data)                              \
  X(ov_tensor_free)

namespace ovcache {

// Filled once by Load() and read-only afterwards, so any thread may read it.
struct Symbols {
#define OVCACHE_DECLARE_SYMBOL(name) decltype(&::name) name = nullptr;
  OVCACHE_FUNCTIONS(OVCACHE_DECLARE_SYMBOL)
#undef OVCACHE_DECLARE_SYMBOL

  void* library = nullptr;
  std::string library_path;

  // Resolves every known function of an opened library; missing ones stay nullptr.
  void Load(void* opened_library, const std::string& path);

  // Whether the library exports `name` (any name, not only the table's).
  bool Has(const char* name) const;

  // Returns `fn`, or throws OVCACHE_SYMBOL_MISSING naming `name` when it did not resolve.
  template <typename Fn>
  Fn Need(Fn fn, const char* name) const {
    if (fn == nullptr) ThrowMissing(name);
    return fn;
  }

 private:
  [[noreturn]] void ThrowMissing(const char* name) const;
};

}  // namespace ovcache

// The resolved function `name`, or a thrown OVCACHE_SYMBOL_MISSING error.
#define OV_FN(syms, name) ((syms).Need((syms).name, #name))

// Calls `name`, then throws its status as a NativeError (with the last error text) unless OK.
#define OV_CHECK(syms, name, ...) \
  ::ovcache::CheckStatus((syms), OV_FN(syms, name)(__VA_ARGS__), #name)
