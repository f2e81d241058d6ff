// A device plugin of the stand-in (libopenvino_intel_cpu_plugin.so,
// libopenvino_intel_gpu_plugin.so), built once per device with OV_STUB_PLUGIN_DEVICE set.
// Like upstream's plugins it needs the core (libopenvino.so.<soversion>) and TBB by soname and
// carries no RUNPATH: it loads only because the core that dlopen()s it is already loaded.
#include <cstdlib>
#include <cstring>

#include "core_api.h"

extern "C" int TBB_runtime_interface_version();

namespace {

int CpuHasDevice() { return 1; }

// The GPU plugin lists a device only when OV_STUB_DEVICES names GPU (no GPU here).
int GpuHasDevice() {
  const char* list = std::getenv("OV_STUB_DEVICES");
  return list != nullptr && std::strstr(list, "GPU") != nullptr;
}

}  // namespace

extern "C" OV_STUB_API void create_plugin_engine(const ov_stub_plugin_info** info) {
  // Touch the core and TBB so both stay real NEEDED entries of this library.
  static const bool linked =
      ov_stub_core_library_dir() != nullptr && TBB_runtime_interface_version() > 0;
  static const ov_stub_plugin_info kCpu = {"CPU", "Intel CPU plugin (stub)", CpuHasDevice};
  static const ov_stub_plugin_info kGpu = {"GPU", "Intel GPU plugin (stub)", GpuHasDevice};
  (void)linked;
  *info = std::strcmp(OV_STUB_PLUGIN_DEVICE, "GPU") == 0 ? &kGpu : &kCpu;
}
