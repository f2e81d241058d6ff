// Process-global last error (a string behind a mutex, as upstream) and status texts.
#include <cstdlib>
#include <cstring>

#include "stub.h"

namespace ovstub {
namespace {
std::mutex g_err_mu;
std::string g_last_err;
}  // namespace

OvError::OvError(const std::string& where, const std::string& msg, ov_status_e st)
    : std::runtime_error("Exception from " + where + ":\n" + msg + "\n"), status(st) {}

void set_last_error(const std::string& msg) {
  std::lock_guard<std::mutex> lock(g_err_mu);
  g_last_err = msg;
}

char* dup_cstr(const std::string& s) {
  char* p = new char[s.size() + 1];
  std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}
}  // namespace ovstub

extern "C" {

// ov_common.cpp: a table indexed by -status (upstream's own wording); anything past its end
// gets the last entry. (A positive status would index before the table upstream: the stand-in
// answers the last entry there too.)
const char* ov_get_error_info(ov_status_e status) {
  static const char* const kInfos[] = {"success",
                                       "general error",
                                       "it's not implement",
                                       "failed to network",
                                       "input parameter mismatch",
                                       "cannot find the value",
                                       "out of bounds",
                                       "run with unexpected error",
                                       "request is busy",
                                       "result is not ready",
                                       "it is not allocated",
                                       "inference start with error",
                                       "network is not ready",
                                       "inference is canceled",
                                       "invalid c input parameters",
                                       "unknown c error",
                                       "not implement in c method",
                                       "unknown exception"};
  const long last = static_cast<long>(sizeof kInfos / sizeof kInfos[0]) - 1;
  long index = -static_cast<long>(status);
  return kInfos[index < 0 || index > last ? last : index];
}

void ov_free(const char* content) { delete[] content; }

const char* ov_get_last_err_msg(void) {
  std::lock_guard<std::mutex> lock(ovstub::g_err_mu);
  if (ovstub::g_last_err.empty()) return nullptr;
  return ovstub::dup_cstr(ovstub::g_last_err);
}
}
