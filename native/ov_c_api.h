// Our own declarations of the subset of OpenVINO's C API (openvino/c/*.h) that ovcache
// uses. Nothing here is linked: the addon resolves every function by name at run time
// (see symbols.h), and the test stand-in (test-runtime/) defines them. Signatures were
// checked against upstream src/bindings/c/include/openvino/c/*.h (2024.2 .. 2026.4).
//
// Invariants the callers rely on:
//  - every status is ov_status_e: 0 = OK, negative = error;
//  - strings and structs returned by the runtime are freed with the matching *_free/ov_free;
//  - ov_element_type_e values depend on the release (see element_types.h): never compare
//    against a constant without going through that mapping.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define OVC_CALL __cdecl
#ifdef OVC_EXPORT_API
#define OVC_API __declspec(dllexport)
#else
#define OVC_API
#endif
#else
#define OVC_CALL
#ifdef OVC_EXPORT_API
#define OVC_API __attribute__((visibility("default")))
#else
#define OVC_API
#endif
#endif

typedef enum {
  OK = 0,
  GENERAL_ERROR = -1,
  NOT_IMPLEMENTED = -2,
  NETWORK_NOT_LOADED = -3,
  PARAMETER_MISMATCH = -4,
  NOT_FOUND = -5,
  OUT_OF_BOUNDS = -6,
  UNEXPECTED = -7,
  REQUEST_BUSY = -8,
  RESULT_NOT_READY = -9,
  NOT_ALLOCATED = -10,
  INFER_NOT_STARTED = -11,
  NETWORK_NOT_READ = -12,
  INFER_CANCELLED = -13,
  INVALID_C_PARAM = -14,
  UNKNOWN_C_ERROR = -15,
  NOT_IMPLEMENT_C_METHOD = -16,
  UNKNOW_EXCEPTION = -17,
} ov_status_e;

// An enum in upstream whose numbering changed between releases; passed by value as an int.
typedef int ov_element_type_e;

typedef struct ov_core ov_core_t;
typedef struct ov_model ov_model_t;
typedef struct ov_compiled_model ov_compiled_model_t;
typedef struct ov_infer_request ov_infer_request_t;
typedef struct ov_tensor ov_tensor_t;
typedef struct ov_output_port ov_output_port_t;
typedef struct ov_output_const_port ov_output_const_port_t;

typedef struct ov_dimension {
  int64_t min;  // inclusive; -1 with max -1 means fully dynamic
  int64_t max;
} ov_dimension_t;
typedef ov_dimension_t ov_rank_t;

typedef struct ov_partial_shape {
  ov_rank_t rank;
  ov_dimension_t* dims;  // owned; freed by ov_partial_shape_free
} ov_partial_shape_t;

typedef struct {
  int64_t rank;
  int64_t* dims;  // owned; freed by ov_shape_free
} ov_shape_t;

typedef struct ov_version {
  const char* buildNumber;
  const char* description;
} ov_version_t;

typedef struct {
  const char* device_name;
  ov_version_t version;
} ov_core_version_t;

typedef struct {
  ov_core_version_t* versions;
  size_t size;
} ov_core_version_list_t;

typedef struct {
  char** devices;
  size_t size;
} ov_available_devices_t;

typedef struct {
  void(OVC_CALL* callback_func)(void* args);
  void* args;
} ov_callback_t;

// --- common -------------------------------------------------------------------------
OVC_API const char* OVC_CALL ov_get_error_info(ov_status_e status);
OVC_API void OVC_CALL ov_free(const char* content);
OVC_API const char* OVC_CALL ov_get_last_err_msg(void);

// --- core ---------------------------------------------------------------------------
OVC_API ov_status_e OVC_CALL ov_get_openvino_version(ov_version_t* version);
OVC_API void OVC_CALL ov_version_free(ov_version_t* version);
OVC_API ov_status_e OVC_CALL ov_core_create(ov_core_t** core);
OVC_API void OVC_CALL ov_core_free(ov_core_t* core);
OVC_API ov_status_e OVC_CALL ov_core_read_model(const ov_core_t* core, const char* model_path,
                                                const char* bin_path, ov_model_t** model);
// Variadic tail: property_args_size `const char*` values, alternating key, value.
OVC_API ov_status_e OVC_CALL ov_core_compile_model(const ov_core_t* core, const ov_model_t* model,
                                                   const char* device_name,
                                                   const size_t property_args_size,
                                                   ov_compiled_model_t** compiled_model, ...);
OVC_API ov_status_e OVC_CALL ov_core_compile_model_from_file(
    const ov_core_t* core, const char* model_path, const char* device_name,
    const size_t property_args_size, ov_compiled_model_t** compiled_model, ...);
// Variadic tail: exactly one key/value pair of `const char*` is read.
OVC_API ov_status_e OVC_CALL ov_core_set_property(const ov_core_t* core, const char* device_name,
                                                  ...);
// Core-level properties are read with device_name "" (NULL fails upstream).
OVC_API ov_status_e OVC_CALL ov_core_get_property(const ov_core_t* core, const char* device_name,
                                                  const char* property_key, char** property_value);
OVC_API ov_status_e OVC_CALL ov_core_get_available_devices(const ov_core_t* core,
                                                           ov_available_devices_t* devices);
OVC_API void OVC_CALL ov_available_devices_free(ov_available_devices_t* devices);
OVC_API ov_status_e OVC_CALL ov_core_import_model(const ov_core_t* core, const char* content,
                                                  const size_t content_size,
                                                  const char* device_name,
                                                  ov_compiled_model_t** compiled_model);
OVC_API ov_status_e OVC_CALL ov_core_get_versions_by_device_name(const ov_core_t* core,
                                                                 const char* device_name,
                                                                 ov_core_version_list_t* versions);
OVC_API void OVC_CALL ov_core_versions_free(ov_core_version_list_t* versions);

// --- model --------------------------------------------------------------------------
OVC_API void OVC_CALL ov_model_free(ov_model_t* model);
OVC_API ov_status_e OVC_CALL ov_model_inputs_size(const ov_model_t* model, size_t* input_size);
OVC_API ov_status_e OVC_CALL ov_model_outputs_size(const ov_model_t* model, size_t* output_size);
OVC_API ov_status_e OVC_CALL ov_model_const_input_by_index(const ov_model_t* model,
                                                           const size_t index,
                                                           ov_output_const_port_t** input_port);
OVC_API ov_status_e OVC_CALL ov_model_const_output_by_index(const ov_model_t* model,
                                                            const size_t index,
                                                            ov_output_const_port_t** output_port);
OVC_API ov_status_e OVC_CALL ov_model_input_by_name(const ov_model_t* model,
                                                    const char* tensor_name,
                                                    ov_output_port_t** input_port);
OVC_API ov_status_e OVC_CALL ov_model_reshape(const ov_model_t* model, const char** tensor_names,
                                              const ov_partial_shape_t* partial_shapes,
                                              size_t size);
OVC_API ov_status_e OVC_CALL ov_model_reshape_input_by_name(const ov_model_t* model,
                                                            const char* tensor_name,
                                                            const ov_partial_shape_t partial_shape);
OVC_API bool OVC_CALL ov_model_is_dynamic(const ov_model_t* model);
OVC_API ov_status_e OVC_CALL ov_model_get_friendly_name(const ov_model_t* model,
                                                        char** friendly_name);

// --- ports --------------------------------------------------------------------------
OVC_API ov_status_e OVC_CALL ov_port_get_any_name(const ov_output_const_port_t* port,
                                                  char** tensor_name);
OVC_API ov_status_e OVC_CALL ov_port_get_partial_shape(const ov_output_const_port_t* port,
                                                       ov_partial_shape_t* partial_shape);
OVC_API ov_status_e OVC_CALL ov_port_get_element_type(const ov_output_const_port_t* port,
                                                      ov_element_type_e* tensor_type);
OVC_API ov_status_e OVC_CALL ov_const_port_get_shape(const ov_output_const_port_t* port,
                                                     ov_shape_t* tensor_shape);
OVC_API ov_status_e OVC_CALL ov_port_get_shape(const ov_output_port_t* port,
                                               ov_shape_t* tensor_shape);
OVC_API void OVC_CALL ov_output_port_free(ov_output_port_t* port);
OVC_API void OVC_CALL ov_output_const_port_free(ov_output_const_port_t* port);

// --- shapes -------------------------------------------------------------------------
// Both by value (src/bindings/c/src/ov_dimension.cpp, ov_rank.cpp): static only when
// min == max && max > 0, so a rank of 0 (a scalar) counts as dynamic.
OVC_API bool OVC_CALL ov_dimension_is_dynamic(const ov_dimension_t dim);
OVC_API bool OVC_CALL ov_rank_is_dynamic(const ov_rank_t rank);
OVC_API ov_status_e OVC_CALL ov_partial_shape_create(const int64_t rank, const ov_dimension_t* dims,
                                                     ov_partial_shape_t* partial_shape_obj);
OVC_API ov_status_e OVC_CALL ov_partial_shape_create_dynamic(const ov_rank_t rank,
                                                             const ov_dimension_t* dims,
                                                             ov_partial_shape_t* partial_shape_obj);
OVC_API ov_status_e OVC_CALL ov_partial_shape_create_static(const int64_t rank, const int64_t* dims,
                                                            ov_partial_shape_t* partial_shape_obj);
OVC_API void OVC_CALL ov_partial_shape_free(ov_partial_shape_t* partial_shape);
OVC_API ov_status_e OVC_CALL ov_partial_shape_to_shape(const ov_partial_shape_t partial_shape,
                                                       ov_shape_t* shape);
OVC_API ov_status_e OVC_CALL ov_shape_to_partial_shape(const ov_shape_t shape,
                                                       ov_partial_shape_t* partial_shape);
OVC_API bool OVC_CALL ov_partial_shape_is_dynamic(const ov_partial_shape_t partial_shape);
// Returned string is freed with ov_free.
OVC_API const char* OVC_CALL ov_partial_shape_to_string(const ov_partial_shape_t partial_shape);
OVC_API ov_status_e OVC_CALL ov_shape_create(const int64_t rank, const int64_t* dims,
                                             ov_shape_t* shape);
OVC_API ov_status_e OVC_CALL ov_shape_free(ov_shape_t* shape);

// --- compiled model -----------------------------------------------------------------
OVC_API ov_status_e OVC_CALL
ov_compiled_model_inputs_size(const ov_compiled_model_t* compiled_model, size_t* size);
OVC_API ov_status_e OVC_CALL
ov_compiled_model_input_by_index(const ov_compiled_model_t* compiled_model, const size_t index,
                                 ov_output_const_port_t** input_port);
OVC_API ov_status_e OVC_CALL
ov_compiled_model_input_by_name(const ov_compiled_model_t* compiled_model, const char* name,
                                ov_output_const_port_t** input_port);
OVC_API ov_status_e OVC_CALL
ov_compiled_model_outputs_size(const ov_compiled_model_t* compiled_model, size_t* size);
OVC_API ov_status_e OVC_CALL
ov_compiled_model_output_by_index(const ov_compiled_model_t* compiled_model, const size_t index,
                                  ov_output_const_port_t** output_port);
OVC_API ov_status_e OVC_CALL ov_compiled_model_create_infer_request(
    const ov_compiled_model_t* compiled_model, ov_infer_request_t** infer_request);
// Variadic tail: exactly one key/value pair of `const char*` is read.
OVC_API ov_status_e OVC_CALL
ov_compiled_model_set_property(const ov_compiled_model_t* compiled_model, ...);
OVC_API ov_status_e OVC_CALL ov_compiled_model_get_property(
    const ov_compiled_model_t* compiled_model, const char* property_key, char** property_value);
OVC_API ov_status_e OVC_CALL ov_compiled_model_export_model(
    const ov_compiled_model_t* compiled_model, const char* export_model_path);
OVC_API void OVC_CALL ov_compiled_model_free(ov_compiled_model_t* compiled_model);

// --- infer request ------------------------------------------------------------------
OVC_API ov_status_e OVC_CALL ov_infer_request_set_tensor(ov_infer_request_t* infer_request,
                                                         const char* tensor_name,
                                                         const ov_tensor_t* tensor);
OVC_API ov_status_e OVC_CALL ov_infer_request_set_input_tensor_by_index(
    ov_infer_request_t* infer_request, size_t idx, const ov_tensor_t* tensor);
OVC_API ov_status_e OVC_CALL ov_infer_request_set_input_tensor(ov_infer_request_t* infer_request,
                                                               const ov_tensor_t* tensor);
OVC_API ov_status_e OVC_CALL ov_infer_request_get_tensor(const ov_infer_request_t* infer_request,
                                                         const char* tensor_name,
                                                         ov_tensor_t** tensor);
OVC_API ov_status_e OVC_CALL ov_infer_request_get_output_tensor_by_index(
    const ov_infer_request_t* infer_request, size_t idx, ov_tensor_t** tensor);
OVC_API ov_status_e OVC_CALL
ov_infer_request_get_output_tensor(const ov_infer_request_t* infer_request, ov_tensor_t** tensor);
OVC_API ov_status_e OVC_CALL ov_infer_request_infer(ov_infer_request_t* infer_request);
OVC_API ov_status_e OVC_CALL ov_infer_request_start_async(ov_infer_request_t* infer_request);
OVC_API ov_status_e OVC_CALL ov_infer_request_wait(ov_infer_request_t* infer_request);
OVC_API ov_status_e OVC_CALL ov_infer_request_wait_for(ov_infer_request_t* infer_request,
                                                       const int64_t timeout);
OVC_API ov_status_e OVC_CALL ov_infer_request_cancel(ov_infer_request_t* infer_request);
OVC_API void OVC_CALL ov_infer_request_free(ov_infer_request_t* infer_request);

// --- tensor -------------------------------------------------------------------------
OVC_API ov_status_e OVC_CALL ov_tensor_create(const ov_element_type_e type, const ov_shape_t shape,
                                              ov_tensor_t** tensor);
OVC_API ov_status_e OVC_CALL ov_tensor_create_from_host_ptr(const ov_element_type_e type,
                                                            const ov_shape_t shape, void* host_ptr,
                                                            ov_tensor_t** tensor);
OVC_API ov_status_e OVC_CALL ov_tensor_set_shape(ov_tensor_t* tensor, const ov_shape_t shape);
OVC_API ov_status_e OVC_CALL ov_tensor_get_shape(const ov_tensor_t* tensor, ov_shape_t* shape);
OVC_API ov_status_e OVC_CALL ov_tensor_get_element_type(const ov_tensor_t* tensor,
                                                        ov_element_type_e* type);
OVC_API ov_status_e OVC_CALL ov_tensor_get_size(const ov_tensor_t* tensor, size_t* elements_size);
OVC_API ov_status_e OVC_CALL ov_tensor_get_byte_size(const ov_tensor_t* tensor, size_t* byte_size);
OVC_API ov_status_e OVC_CALL ov_tensor_data(const ov_tensor_t* tensor, void** data);
OVC_API void OVC_CALL ov_tensor_free(ov_tensor_t* tensor);

// --- property keys (exported variables of type `const char*`) ----------------------
// Upstream values: see the table in test-runtime/README.md. Keys without a C constant
// (LOADED_FROM_CACHE, DEVICE_ARCHITECTURE, WEIGHTS_PATH, ...) are passed as raw strings.
OVC_API extern const char* ov_property_key_supported_properties;  // SUPPORTED_PROPERTIES
OVC_API extern const char* ov_property_key_available_devices;     // AVAILABLE_DEVICES
OVC_API extern const char* ov_property_key_optimal_number_of_infer_requests;
OVC_API extern const char* ov_property_key_device_full_name;          // FULL_DEVICE_NAME
OVC_API extern const char* ov_property_key_device_capabilities;       // OPTIMIZATION_CAPABILITIES
OVC_API extern const char* ov_property_key_model_name;                // NETWORK_NAME
OVC_API extern const char* ov_property_key_cache_dir;                 // CACHE_DIR
OVC_API extern const char* ov_property_key_cache_mode;                // CACHE_MODE
OVC_API extern const char* ov_property_key_num_streams;               // NUM_STREAMS
OVC_API extern const char* ov_property_key_inference_num_threads;     // INFERENCE_NUM_THREADS
OVC_API extern const char* ov_property_key_hint_performance_mode;     // PERFORMANCE_HINT
OVC_API extern const char* ov_property_key_hint_inference_precision;  // INFERENCE_PRECISION_HINT
OVC_API extern const char* ov_property_key_hint_execution_mode;       // EXECUTION_MODE_HINT
OVC_API extern const char* ov_property_key_hint_num_requests;  // PERFORMANCE_HINT_NUM_REQUESTS
OVC_API extern const char* ov_property_key_enable_profiling;   // PERF_COUNT
OVC_API extern const char* ov_property_key_enable_mmap;        // ENABLE_MMAP
OVC_API extern const char* ov_property_key_log_level;          // LOG_LEVEL

#ifdef __cplusplus
}  // extern "C"
#endif
