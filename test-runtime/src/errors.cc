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

const char* ov_get_error_info(ov_status_e status) {
  switch (status) {
    case OK:
      return "ok";
    case GENERAL_ERROR:
      return "general error";
    case NOT_IMPLEMENTED:
      return "not implemented";
    case NETWORK_NOT_LOADED:
      return "network not loaded";
    case PARAMETER_MISMATCH:
      return "parameter mismatch";
    case NOT_FOUND:
      return "not found";
    case OUT_OF_BOUNDS:
      return "out of bounds";
    case UNEXPECTED:
      return "unexpected";
    case REQUEST_BUSY:
      return "request busy";
    case RESULT_NOT_READY:
      return "result not ready";
    case NOT_ALLOCATED:
      return "not allocated";
    case INFER_NOT_STARTED:
      return "infer not started";
    case NETWORK_NOT_READ:
      return "network not read";
    case INFER_CANCELLED:
      return "infer cancelled";
    case INVALID_C_PARAM:
      return "invalid c input parameters";
    case UNKNOWN_C_ERROR:
      return "unknown c error";
    case NOT_IMPLEMENT_C_METHOD:
      return "not implement c method";
    case UNKNOW_EXCEPTION:
      return "unknown exception";
  }
  return "unrecognized status";
}

void ov_free(const char* content) { delete[] content; }

const char* ov_get_last_err_msg(void) {
  std::lock_guard<std::mutex> lock(ovstub::g_err_mu);
  if (ovstub::g_last_err.empty()) return nullptr;
  return ovstub::dup_cstr(ovstub::g_last_err);
}
}
