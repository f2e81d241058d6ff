// The stand-in core (libopenvino.so.<soversion>): the device plugin registry, as upstream's
// core keeps it. Needs TBB (libtbb.so.12) by soname and carries no RUNPATH, like Intel's
// libopenvino.so.
//
// Plugins are found as upstream finds its compile-time plugins (ov_plugins.hpp's list, checked
// in CoreImpl::register_compile_time_plugins, src/inference/src/dev/core_impl.cpp): a device
// is registered only when its library file exists, looked up by
// ov::util::get_compiled_plugin_path (src/common/util/src/file_util.cpp) in
// <core folder>/openvino-<version>/ first, then <core folder>/, the core folder being the
// folder of the loaded libopenvino.so (get_ov_lib_path: dladdr on one of its functions).
// A registered plugin is dlopen()ed by full path with RTLD_NOW | RTLD_LOCAL on first use
// (ov::util::load_shared_object), and a failure reads like upstream's
// "Failed to create plugin <path> for device <name> ... Cannot load library '<path>': ...".
#include <dlfcn.h>
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <string>

#include "core_api.h"

extern "C" int TBB_runtime_interface_version();

namespace {

struct PluginEntry {
  const char* device;
  const char* file;
};
// Upstream's names: src/plugins/intel_cpu and intel_gpu build openvino_intel_cpu_plugin and
// openvino_intel_gpu_plugin (lib prefix and .so added by CMake).
const PluginEntry kCompiledPlugins[] = {{"CPU", "libopenvino_intel_cpu_plugin.so"},
                                        {"GPU", "libopenvino_intel_gpu_plugin.so"}};

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string LibraryDir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&ov_stub_core_library_dir), &info) == 0 ||
      info.dli_fname == nullptr)
    return ".";
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// "" when the plugin file is in neither place.
std::string CompiledPluginPath(const char* file) {
  const std::string dir = LibraryDir();
  const std::string versioned = dir + "/openvino-" OV_STUB_VERSION_DOTTED "/" + file;
  if (FileExists(versioned)) return versioned;
  const std::string beside = dir + "/" + file;
  return FileExists(beside) ? beside : "";
}

struct Loaded {
  const ov_stub_plugin_info* info = nullptr;
  std::string error;
};

std::mutex g_mu;
std::map<std::string, Loaded> g_loaded;  // device -> plugin, never unloaded
thread_local std::string g_error;

Loaded LoadPlugin(const std::string& device) {
  Loaded out;
  const char* file = nullptr;
  for (const auto& entry : kCompiledPlugins)
    if (device == entry.device) file = entry.file;
  const std::string path = file != nullptr ? CompiledPluginPath(file) : "";
  if (path.empty()) {
    out.error = "Device with \"" + device + "\" name is not registered in the OpenVINO Runtime";
    return out;
  }
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  const char* dl_error = handle == nullptr ? dlerror() : nullptr;
  auto create =
      handle != nullptr
          ? reinterpret_cast<ov_stub_create_plugin_fn>(dlsym(handle, "create_plugin_engine"))
          : nullptr;
  if (create == nullptr) {
    std::string why = dl_error != nullptr ? dl_error : "Symbol create_plugin_engine is not found";
    out.error = "Failed to create plugin " + path + " for device " + device +
                "\nPlease, check your environment\nCannot load library '" + path + "': " + why;
    return out;
  }
  create(&out.info);
  return out;
}

}  // namespace

extern "C" {

OV_STUB_API const char* ov_stub_core_registered_devices(void) {
  static thread_local std::string list;
  list.clear();
  if (TBB_runtime_interface_version() <= 0) return "";  // the core's real use of TBB
  for (const auto& entry : kCompiledPlugins) {
    if (CompiledPluginPath(entry.file).empty()) continue;
    list += (list.empty() ? "" : " ") + std::string(entry.device);
  }
  return list.c_str();
}

OV_STUB_API int ov_stub_core_get_plugin(const char* device, const ov_stub_plugin_info** info,
                                        const char** error) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_loaded.find(device);
  if (it == g_loaded.end() || it->second.info == nullptr) {
    // A failed load is retried on the next call: the file may have been fixed meanwhile.
    it = g_loaded.insert_or_assign(device, LoadPlugin(device)).first;
  }
  if (it->second.info == nullptr) {
    g_error = it->second.error;
    *error = g_error.c_str();
    return -1;
  }
  *info = it->second.info;
  return 0;
}

OV_STUB_API const char* ov_stub_core_library_dir(void) {
  static const std::string dir = LibraryDir();
  return dir.c_str();
}

}  // extern "C"
