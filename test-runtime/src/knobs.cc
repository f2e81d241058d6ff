// Environment knobs (read on every use, so a test can change them between calls).
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core_api.h"
#include "stub.h"

namespace ovstub {

std::string env_str(const char* name, const std::string& def) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : def;
}

double env_num(const char* name, double def) {
  const char* v = std::getenv(name);
  if (!v || !*v) return def;
  char* end = nullptr;
  double d = std::strtod(v, &end);
  return end && *end == '\0' && d >= 0 ? d : def;
}

std::string build_number() { return env_str("OV_STUB_VERSION", "2025.4.0-20398-stub"); }

int version_major() { return std::atoi(build_number().c_str()); }

int version_minor() {
  std::string b = build_number();
  size_t dot = b.find('.');
  return dot == std::string::npos ? 0 : std::atoi(b.c_str() + dot + 1);
}

bool fail_mode(const char* mode) {
  std::stringstream ss(env_str("OV_STUB_FAIL"));
  std::string item;
  while (std::getline(ss, item, ','))
    if (item == mode) return true;
  return false;
}

std::vector<std::string> devices() {
  // As CoreImpl::get_available_devices: every registered plugin that loads and sees a device;
  // a plugin that fails to load is skipped (upstream catches its exception).
  std::vector<std::string> out;
  std::stringstream ss(ov_stub_core_registered_devices());
  std::string device;
  while (ss >> device) {
    const ov_stub_plugin_info* info = nullptr;
    const char* error = nullptr;
    if (ov_stub_core_get_plugin(device.c_str(), &info, &error) == 0 && info->has_device())
      out.push_back(device);
  }
  return out;
}

bool device_lists(const std::string& device, const std::string& key) {
  std::stringstream ss(env_str("OV_STUB_WEIGHTLESS", "GPU:CACHE_MODE+ENABLE_WEIGHTLESS"));
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t colon = item.find(':');
    if (colon == std::string::npos || item.substr(0, colon) != device) continue;
    std::stringstream keys(item.substr(colon + 1));
    std::string k;
    while (std::getline(keys, k, '+'))
      if (k == key) return true;
  }
  return false;
}

void blob_open_delay(const std::string& path) {
  double ms = env_num("OV_STUB_BLOB_OPEN_DELAY_MS", 0);
  if (ms > 0 && ::access(path.c_str(), F_OK) == 0) sleep_ms(ms);
}

void compile_gate() {
  std::string gate = env_str("OV_STUB_COMPILE_GATE");
  if (gate.empty()) return;
  // Bounded, so a test that never opens its gate fails instead of hanging.
  for (double waited = 0; ::access(gate.c_str(), F_OK) != 0; waited += 5) {
    if (waited >= 60000)
      throw OvError("test-runtime/src/knobs.cc",
                    "OV_STUB_COMPILE_GATE " + gate + " was not created within 60 s");
    sleep_ms(5);
  }
}

void sleep_ms(double ms) {
  if (ms > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(ms * 1000)));
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace ovstub
