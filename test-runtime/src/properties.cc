// Devices and their properties: names, defaults, validation, read-back spelling.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <set>

#include "core_api.h"
#include "stub.h"

namespace ovstub {
namespace {
const char* kWhere = "src/inference/src/dev/plugin.cpp";

const std::vector<std::string> kRw = {"CACHE_DIR",           "CACHE_MODE",
                                      "NUM_STREAMS",         "INFERENCE_NUM_THREADS",
                                      "PERFORMANCE_HINT",    "INFERENCE_PRECISION_HINT",
                                      "EXECUTION_MODE_HINT", "PERFORMANCE_HINT_NUM_REQUESTS",
                                      "PERF_COUNT",          "ENABLE_MMAP",
                                      "LOG_LEVEL",           "WEIGHTS_PATH",
                                      "ENABLE_WEIGHTLESS",   "DEVICE_ID"};
const std::vector<std::string> kRo = {"SUPPORTED_PROPERTIES",
                                      "AVAILABLE_DEVICES",
                                      "FULL_DEVICE_NAME",
                                      "OPTIMIZATION_CAPABILITIES",
                                      "OPTIMAL_NUMBER_OF_INFER_REQUESTS",
                                      "RANGE_FOR_STREAMS",
                                      "DEVICE_ARCHITECTURE",
                                      "GPU_MEMORY_STATISTICS"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
bool numeric(const std::string& v) {
  if (v.empty()) return false;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  return *end == '\0' && n >= -1;
}
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}
std::string defaults(const std::string& device, const std::string& key) {
  if (key == "CACHE_DIR" || key == "WEIGHTS_PATH" || key == "DEVICE_ID") return "";
  if (key == "CACHE_MODE") return "OPTIMIZE_SPEED";
  if (key == "NUM_STREAMS") return "1";
  if (key == "INFERENCE_NUM_THREADS") return "0";
  if (key == "PERFORMANCE_HINT") return "LATENCY";
  if (key == "INFERENCE_PRECISION_HINT") return device == "GPU" ? "f16" : "f32";
  if (key == "EXECUTION_MODE_HINT") return "PERFORMANCE";
  if (key == "PERFORMANCE_HINT_NUM_REQUESTS") return "0";
  if (key == "PERF_COUNT" || key == "ENABLE_WEIGHTLESS") return "NO";
  if (key == "ENABLE_MMAP") return "YES";
  if (key == "LOG_LEVEL") return "LOG_NONE";
  return "";
}
}  // namespace

std::string normalize_device(const std::string& d) {
  std::string base = d.substr(0, d.find('.'));
  const ov_stub_plugin_info* info = nullptr;
  const char* error = nullptr;
  // A registered plugin that fails to load names its file (upstream's "Failed to create plugin").
  if (ov_stub_core_get_plugin(base.c_str(), &info, &error) != 0 &&
      std::string(error).rfind("Failed to create plugin", 0) == 0)
    throw OvError("src/inference/src/dev/core_impl.cpp", error);
  if (info == nullptr || !info->has_device())
    throw OvError("src/inference/src/dev/core_impl.cpp",
                  "Device with \"" + d + "\" name is not registered in the OpenVINO Runtime");
  return base;
}

std::string plugin_description(const std::string& device) {
  const ov_stub_plugin_info* info = nullptr;
  const char* error = nullptr;
  if (ov_stub_core_get_plugin(device.c_str(), &info, &error) != 0)
    throw OvError("src/inference/src/dev/core_impl.cpp", error);
  return info->description;
}

std::string check_property(const std::string& device, const std::string& key,
                           const std::string& value) {
  std::string dev = device.empty() ? std::string("core") : device;
  bool core_level = device.empty();
  bool known = contains(kRw, key) || (core_level && key == "FORCE_TBB_TERMINATE");
  if (!known) {
    if (contains(kRo, key) || key == "LOADED_FROM_CACHE")
      throw OvError(kWhere, "[ GENERAL_ERROR ] Property " + key + " is read-only for " + dev);
    throw OvError(kWhere, "[ NOT_FOUND ] Unsupported property " + key + " by " + dev + " plugin.");
  }
  auto bad = [&](const char* expect) {
    return OvError(kWhere, "[ GENERAL_ERROR ] Wrong value " + value + " for property key " + key +
                               " on " + dev + ". Expected " + expect);
  };
  if (key == "PERFORMANCE_HINT") {
    if (value != "LATENCY" && value != "THROUGHPUT" && value != "CUMULATIVE_THROUGHPUT")
      throw bad("LATENCY, THROUGHPUT or CUMULATIVE_THROUGHPUT");
  } else if (key == "CACHE_MODE") {
    if (value != "OPTIMIZE_SPEED" && value != "OPTIMIZE_SIZE")
      throw bad("OPTIMIZE_SPEED or OPTIMIZE_SIZE");
  } else if (key == "EXECUTION_MODE_HINT") {
    if (value != "PERFORMANCE" && value != "ACCURACY") throw bad("PERFORMANCE or ACCURACY");
  } else if (key == "INFERENCE_PRECISION_HINT") {
    if (value != "f32" && value != "f16" && value != "bf16" && value != "dynamic" && value != "")
      throw bad("f32, f16, bf16 or dynamic");
  } else if (key == "NUM_STREAMS") {
    if (!numeric(value) && value != "AUTO" && value != "NUMA") throw bad("a number or AUTO");
  } else if (key == "INFERENCE_NUM_THREADS" || key == "PERFORMANCE_HINT_NUM_REQUESTS") {
    if (!numeric(value)) throw bad("a number");
  } else if (key == "PERF_COUNT" || key == "ENABLE_MMAP" || key == "ENABLE_WEIGHTLESS" ||
             key == "FORCE_TBB_TERMINATE") {
    if (value == "YES" || value == "true" || value == "1" || value == "TRUE") return "YES";
    if (value == "NO" || value == "false" || value == "0" || value == "FALSE") return "NO";
    throw bad("YES/NO or true/false");
  } else if (key == "LOG_LEVEL") {
    static const std::set<std::string> lv = {"LOG_NONE", "LOG_ERROR", "LOG_WARNING",
                                             "LOG_INFO", "LOG_DEBUG", "LOG_TRACE"};
    if (!lv.count(value)) throw bad("LOG_NONE .. LOG_TRACE");
  }
  return value;
}

namespace {
std::atomic<uint64_t> g_gpu_bytes{0};
uint64_t gpu_device_bytes() { return g_gpu_bytes.load(); }
}  // namespace

void track_device_memory(Compiled& c) {
  if (c.device != "GPU" || c.device_bytes != 0) return;
  c.device_bytes = c.g.weight_bytes() + c.mapped_bytes;
  g_gpu_bytes += c.device_bytes;
}

Compiled::~Compiled() { g_gpu_bytes -= device_bytes; }

std::string device_property(const std::string& device, const Config& cfg, const std::string& key) {
  // Core level: CoreImpl::get_property_for_core (src/inference/src/dev/core_impl.cpp) answers
  // FORCE_TBB_TERMINATE, CACHE_DIR and ENABLE_MMAP (plus ALLOW_AUTO_BATCHING / CACHE_PATH in
  // some releases, not modelled); anything else throws.
  if (device.empty()) {
    if (key == "CACHE_DIR" || key == "ENABLE_MMAP" || key == "FORCE_TBB_TERMINATE") {
      auto it = cfg.find(key);
      if (it != cfg.end()) return it->second;
      return key == "CACHE_DIR" ? "" : (key == "ENABLE_MMAP" ? "YES" : "NO");
    }
    throw OvError("src/inference/src/dev/core_impl.cpp",
                  "Exception is thrown while trying to call get_property with unsupported "
                  "property: '" +
                      key + "' (core level, device \"\")");
  }
  bool gpu = device == "GPU";
  if (key == "FULL_DEVICE_NAME")
    return gpu ? env_str("OV_STUB_GPU_NAME", "Intel(R) Iris(R) Xe Graphics (iGPU) [stub]")
               : env_str("OV_STUB_CPU_NAME", "Intel(R) Core(TM) i7-1185G7 @ 3.00GHz [stub]");
  if (key == "DEVICE_ARCHITECTURE" && gpu)
    return env_str("OV_STUB_GPU_ARCH", "GPU: vendor=0x8086 arch=v12.55.8");
  if (key == "DEVICE_ARCHITECTURE") return "intel64";
  // ov::intel_gpu::memory_statistics (openvino/runtime/intel_gpu/properties.hpp): the engine's
  // current allocations by type, a std::map printed by ov::Any as {key:value,...} (any.hpp).
  if (key == "GPU_MEMORY_STATISTICS" && gpu)
    return "{usm_device:" + std::to_string(gpu_device_bytes()) + "}";
  if (key == "OPTIMIZATION_CAPABILITIES")
    return gpu ? "FP32 BIN FP16 INT8 EXPORT_IMPORT" : "FP32 INT8 BIN EXPORT_IMPORT";
  if (key == "AVAILABLE_DEVICES") return gpu ? "0" : "";
  if (key == "RANGE_FOR_STREAMS") return "1 8";
  if (key == "OPTIMAL_NUMBER_OF_INFER_REQUESTS") {
    auto it = cfg.find("PERFORMANCE_HINT");
    return it != cfg.end() && it->second != "LATENCY" ? "4" : "1";
  }
  if (key == "SUPPORTED_PROPERTIES") {
    std::vector<std::string> all = kRo;
    if (!gpu) all.erase(std::remove(all.begin(), all.end(), "DEVICE_ARCHITECTURE"), all.end());
    if (!gpu) all.erase(std::remove(all.begin(), all.end(), "GPU_MEMORY_STATISTICS"), all.end());
    for (const auto& k : kRw)
      if ((k != "CACHE_MODE" && k != "ENABLE_WEIGHTLESS") || device_lists(device, k))
        all.push_back(k);
    return join(all);
  }
  if (contains(kRw, key)) {
    auto it = cfg.find(key);
    return it != cfg.end() ? it->second : defaults(device, key);
  }
  throw OvError(kWhere, "[ NOT_FOUND ] Unsupported property " + key + " by " + device + " plugin.");
}

bool weightless_enabled(const std::string& device, const Config& cfg) {
  auto ew = cfg.find("ENABLE_WEIGHTLESS");
  if (ew != cfg.end() && device_lists(device, "ENABLE_WEIGHTLESS"))
    return check_property(device, "ENABLE_WEIGHTLESS", ew->second) == "YES";
  auto cm = cfg.find("CACHE_MODE");
  return cm != cfg.end() && cm->second == "OPTIMIZE_SIZE" && device_lists(device, "CACHE_MODE");
}

std::vector<std::string> caching_keys(const std::string& device) {
  std::vector<std::string> k = {"FULL_DEVICE_NAME", "INFERENCE_PRECISION_HINT",
                                "EXECUTION_MODE_HINT", "PERFORMANCE_HINT", "CACHE_MODE"};
  if (device == "GPU") k.push_back("DEVICE_ARCHITECTURE");
  return k;
}
std::pair<std::string, std::string> read_property_pair(va_list args) {
  const char* key = va_arg(args, const char*);
  if (!key) throw std::logic_error("basic_string: construction from null is not valid");
  if (std::string(key) == "CACHE_ENCRYPTION_CALLBACKS") {
    (void)va_arg(args, const void*);
    throw OvError(kWhere,
                  "CACHE_ENCRYPTION_CALLBACKS is read as a pointer to ov_encryption_callbacks "
                  "(not modelled by the test stand-in)");
  }
  const char* value = va_arg(args, const char*);
  if (!value) throw std::logic_error("basic_string: construction from null is not valid");
  return {key, value};
}
}  // namespace ovstub
