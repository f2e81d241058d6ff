// OV_STUB_LOG=<file>: one JSON line per event, appended with O_APPEND and a single write().
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "stub.h"

namespace ovstub {
namespace {
std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\t':
        o += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o;
}
}  // namespace

LogField lf(const std::string& k, const std::string& v) { return {k, v, true}; }
LogField lf(const std::string& k, double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.3f", v);
  std::string s(b);
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return {k, s, false};
}

void log_event(const std::string& event, const std::vector<LogField>& fields) {
  std::string path = env_str("OV_STUB_LOG");
  if (path.empty()) return;
  using namespace std::chrono;
  long long t = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string line = "{\"event\":\"" + json_escape(event) +
                     "\",\"pid\":" + std::to_string(getpid()) + ",\"time\":" + std::to_string(t);
  for (const auto& f : fields) {
    line += ",\"" + json_escape(f.key) + "\":";
    line += f.quoted ? "\"" + json_escape(f.value) + "\"" : f.value;
  }
  line += "}\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t n = ::write(fd, line.data(), line.size());
  (void)n;
  ::close(fd);
}
}  // namespace ovstub
