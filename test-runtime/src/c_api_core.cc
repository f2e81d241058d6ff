// ov_core_*, versions, devices, properties, compile and import.
#include <cstdarg>

#include "stub.h"

using namespace ovstub;

namespace ovstub {
Config Core::effective(const std::string& device) const {
  Config c;
  auto g = cfg.find("");
  if (g != cfg.end()) c = g->second;
  auto d = cfg.find(device);
  if (d != cfg.end())
    for (const auto& kv : d->second) c[kv.first] = kv.second;
  return c;
}

std::shared_ptr<std::mutex> Core::blob_guard(const std::string& id) {
  std::lock_guard<std::mutex> lock(guard_mu);
  auto& w = blob_guards[id];
  auto m = w.lock();
  if (!m) {
    m = std::make_shared<std::mutex>();
    w = m;
  }
  return m;
}
}  // namespace ovstub

namespace {
const char* kDescription = "OpenVINO Runtime (ovcache test stand-in, stub)";

Config read_pairs(const std::string& device, size_t n, va_list args) {
  std::vector<std::pair<std::string, std::string>> raw;
  for (size_t i = 0; i < n / 2; ++i) raw.push_back(read_property_pair(args));
  Config out;
  for (const auto& kv : raw) out[kv.first] = check_property(device, kv.first, kv.second);
  return out;
}

ov_status_e do_compile(const ov_core_t* core, const ov_model_t* model, const char* path,
                       const char* device_name, size_t n, ov_compiled_model_t** out, va_list args) {
  return guarded([&] {
    std::string device = normalize_device(device_name && *device_name ? device_name : "CPU");
    Config call = read_pairs(device, n, args);
    Config cfg;
    {
      std::lock_guard<std::mutex> lock(core->obj->mu);
      cfg = core->obj->effective(device);
    }
    for (const auto& kv : call) cfg[kv.first] = kv.second;
    std::shared_ptr<Compiled> c;
    if (model) {
      Graph snapshot;
      {
        std::lock_guard<std::mutex> lock(model->obj->mu);
        snapshot = model->obj->g;
      }
      c = compile_with_cache(*core->obj, device, cfg, "", &snapshot);
    } else {
      c = compile_with_cache(*core->obj, device, cfg, path, nullptr);
    }
    track_device_memory(*c);
    *out = new ov_compiled_model{c};
  });
}
}  // namespace

extern "C" {

ov_status_e ov_get_openvino_version(ov_version_t* version) {
  if (!version) return INVALID_C_PARAM;
  version->buildNumber = dup_cstr(build_number());
  version->description = dup_cstr(kDescription);
  return OK;
}

void ov_version_free(ov_version_t* version) {
  if (!version) return;
  delete[] version->buildNumber;
  delete[] version->description;
  version->buildNumber = nullptr;
  version->description = nullptr;
}

ov_status_e ov_core_create(ov_core_t** core) {
  if (!core) return INVALID_C_PARAM;
  return guarded([&] { *core = new ov_core{std::make_shared<Core>()}; });
}

// ov_core.cpp: freeing any core clears the process-global last error.
void ov_core_free(ov_core_t* core) {
  delete core;
  set_last_error("");
}

ov_status_e ov_core_read_model(const ov_core_t* core, const char* model_path, const char* bin_path,
                               ov_model_t** model) {
  if (!core || !model_path || !model) return INVALID_C_PARAM;
  return guarded([&] {
    double t0 = now_ms();
    auto g = read_model_files(model_path, bin_path ? bin_path : "");
    log_event("read_model",
              {lf("path", model_path), lf("weight_bytes", static_cast<double>(g->weight_bytes())),
               lf("ms", now_ms() - t0)});
    auto m = std::make_shared<Model>();
    m->g = std::move(*g);
    *model = new ov_model{m};
  });
}

ov_status_e ov_core_compile_model(const ov_core_t* core, const ov_model_t* model,
                                  const char* device_name, const size_t property_args_size,
                                  ov_compiled_model_t** compiled_model, ...) {
  if (!core || !model || !compiled_model || property_args_size % 2 != 0) return INVALID_C_PARAM;
  va_list args;
  va_start(args, compiled_model);
  ov_status_e st =
      do_compile(core, model, nullptr, device_name, property_args_size, compiled_model, args);
  va_end(args);
  return st;
}

ov_status_e ov_core_compile_model_from_file(const ov_core_t* core, const char* model_path,
                                            const char* device_name,
                                            const size_t property_args_size,
                                            ov_compiled_model_t** compiled_model, ...) {
  if (!core || !model_path || !compiled_model || property_args_size % 2 != 0)
    return INVALID_C_PARAM;  // a NULL device is the default device, as upstream
  va_list args;
  va_start(args, compiled_model);
  ov_status_e st =
      do_compile(core, nullptr, model_path, device_name, property_args_size, compiled_model, args);
  va_end(args);
  return st;
}

ov_status_e ov_core_set_property(const ov_core_t* core, const char* device_name, ...) {
  if (!core) return INVALID_C_PARAM;
  va_list args;
  va_start(args, device_name);
  return guarded([&] {
    std::pair<std::string, std::string> kv;
    try {
      kv = read_property_pair(args);
    } catch (...) {
      va_end(args);
      throw;
    }
    va_end(args);
    const std::string& key = kv.first;
    const std::string& value = kv.second;
    std::string device = device_name && *device_name ? normalize_device(device_name) : "";
    std::string v = check_property(device, key, value);
    std::lock_guard<std::mutex> lock(core->obj->mu);
    core->obj->cfg[device][key] = v;
  });
}

ov_status_e ov_core_get_property(const ov_core_t* core, const char* device_name,
                                 const char* property_key, char** property_value) {
  if (!core || !property_key || !property_value) return INVALID_C_PARAM;
  return guarded([&] {
    // Upstream builds a std::string from device_name: NULL throws a non-OpenVINO exception,
    // reported as UNKNOW_EXCEPTION (issue #24911).
    if (!device_name) throw std::logic_error("basic_string: construction from null is not valid");
    std::string device = *device_name ? normalize_device(device_name) : "";
    Config cfg;
    {
      std::lock_guard<std::mutex> lock(core->obj->mu);
      cfg = device.empty() ? core->obj->cfg[""] : core->obj->effective(device);
    }
    *property_value = dup_cstr(device_property(device, cfg, property_key));
  });
}

ov_status_e ov_core_get_available_devices(const ov_core_t* core, ov_available_devices_t* devices) {
  if (!core || !devices) return INVALID_C_PARAM;
  return guarded([&] {
    auto ds = ovstub::devices();
    devices->devices = new char*[ds.size()];
    devices->size = ds.size();
    for (size_t i = 0; i < ds.size(); ++i) devices->devices[i] = dup_cstr(ds[i]);
  });
}

void ov_available_devices_free(ov_available_devices_t* devices) {
  if (!devices) return;
  for (size_t i = 0; i < devices->size; ++i) delete[] devices->devices[i];
  delete[] devices->devices;
  devices->devices = nullptr;
  devices->size = 0;
}

ov_status_e ov_core_import_model(const ov_core_t* core, const char* content,
                                 const size_t content_size, const char* device_name,
                                 ov_compiled_model_t** compiled_model) {
  if (!core || !content || !device_name || !compiled_model) return INVALID_C_PARAM;
  return guarded([&] {
    std::string device = normalize_device(device_name);
    auto c = import_payload(content, content_size, device);
    track_device_memory(*c);
    *compiled_model = new ov_compiled_model{c};
  });
}

ov_status_e ov_core_get_versions_by_device_name(const ov_core_t* core, const char* device_name,
                                                ov_core_version_list_t* versions) {
  if (!core || !device_name || !versions) return INVALID_C_PARAM;
  return guarded([&] {
    std::string device = normalize_device(device_name);
    versions->versions = new ov_core_version_t[1];
    versions->size = 1;
    versions->versions[0].device_name = dup_cstr(device);
    versions->versions[0].version.buildNumber = dup_cstr(build_number());
    versions->versions[0].version.description = dup_cstr(plugin_description(device));
  });
}

void ov_core_versions_free(ov_core_version_list_t* versions) {
  if (!versions) return;
  for (size_t i = 0; i < versions->size; ++i) {
    delete[] versions->versions[i].device_name;
    delete[] versions->versions[i].version.buildNumber;
    delete[] versions->versions[i].version.description;
  }
  delete[] versions->versions;
  versions->versions = nullptr;
  versions->size = 0;
}

// Property keys, with upstream's values (src/bindings/c/src/ov_property.cpp).
const char* ov_property_key_supported_properties = "SUPPORTED_PROPERTIES";
const char* ov_property_key_available_devices = "AVAILABLE_DEVICES";
const char* ov_property_key_optimal_number_of_infer_requests = "OPTIMAL_NUMBER_OF_INFER_REQUESTS";
const char* ov_property_key_device_full_name = "FULL_DEVICE_NAME";
const char* ov_property_key_device_capabilities = "OPTIMIZATION_CAPABILITIES";
const char* ov_property_key_model_name = "NETWORK_NAME";
const char* ov_property_key_cache_dir = "CACHE_DIR";
const char* ov_property_key_cache_mode = "CACHE_MODE";
const char* ov_property_key_num_streams = "NUM_STREAMS";
const char* ov_property_key_inference_num_threads = "INFERENCE_NUM_THREADS";
const char* ov_property_key_hint_performance_mode = "PERFORMANCE_HINT";
const char* ov_property_key_hint_inference_precision = "INFERENCE_PRECISION_HINT";
const char* ov_property_key_hint_execution_mode = "EXECUTION_MODE_HINT";
const char* ov_property_key_hint_num_requests = "PERFORMANCE_HINT_NUM_REQUESTS";
const char* ov_property_key_enable_profiling = "PERF_COUNT";
const char* ov_property_key_enable_mmap = "ENABLE_MMAP";
const char* ov_property_key_log_level = "LOG_LEVEL";
}
