// The stand-in core's internal interface (libopenvino.so.<soversion>): what the C layer and
// the device plugins call. Test infrastructure only; upstream's core is C++ (ov::Core,
// ov::IPlugin), these C names exist only so the split mirrors the real files and their
// dependencies (C layer -> core -> TBB; core -> plugins, loaded at run time).
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#if defined(OV_STUB_CORE_EXPORTS) || defined(OV_STUB_PLUGIN_EXPORTS)
#define OV_STUB_API __attribute__((visibility("default")))
#else
#define OV_STUB_API
#endif

// What a plugin's create_plugin_engine fills in (upstream: an ov::IPlugin instance).
typedef struct ov_stub_plugin_info {
  const char* device;       // "CPU", "GPU"
  const char* description;  // ov::Version::description of the plugin
  // Whether the plugin sees a device now (the GPU plugin lists none without a GPU).
  int (*has_device)(void);
} ov_stub_plugin_info;

// The entry point every plugin exports (upstream: OV_DEFINE_PLUGIN_CREATE_FUNCTION defines
// create_plugin_engine, src/inference/dev_api/openvino/runtime/iplugin.hpp).
typedef void (*ov_stub_create_plugin_fn)(const ov_stub_plugin_info** info);

// The devices whose plugin library file exists, in registry order ("CPU GPU"): upstream
// registers a compile-time plugin only when its file exists
// (CoreImpl::register_compile_time_plugins).
OV_STUB_API const char* ov_stub_core_registered_devices(void);

// Loads the device's plugin (once per process). Returns 0 and sets *info; -1 with a message
// in *error (static storage) when the device is not registered or its library fails to load.
OV_STUB_API int ov_stub_core_get_plugin(const char* device, const ov_stub_plugin_info** info,
                                        const char** error);

// The folder the core library was loaded from (dladdr), as ov::util::get_ov_lib_path.
OV_STUB_API const char* ov_stub_core_library_dir(void);

#ifdef __cplusplus
}
#endif
