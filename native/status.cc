#include "status.h"

#include "symbols.h"

namespace ovcache {

const char* StatusCode(int status) {
  switch (status) {
    case GENERAL_ERROR:
      return "OV_GENERAL_ERROR";
    case NOT_IMPLEMENTED:
      return "OV_NOT_IMPLEMENTED";
    case NETWORK_NOT_LOADED:
      return "OV_NETWORK_NOT_LOADED";
    case PARAMETER_MISMATCH:
      return "OV_PARAMETER_MISMATCH";
    case NOT_FOUND:
      return "OV_NOT_FOUND";
    case OUT_OF_BOUNDS:
      return "OV_OUT_OF_BOUNDS";
    case UNEXPECTED:
      return "OV_UNEXPECTED";
    case REQUEST_BUSY:
      return "OV_REQUEST_BUSY";
    case RESULT_NOT_READY:
      return "OV_RESULT_NOT_READY";
    case NOT_ALLOCATED:
      return "OV_NOT_ALLOCATED";
    case INFER_NOT_STARTED:
      return "OV_INFER_NOT_STARTED";
    case NETWORK_NOT_READ:
      return "OV_NETWORK_NOT_READ";
    case INFER_CANCELLED:
      return "OV_INFER_CANCELLED";
    case INVALID_C_PARAM:
      return "OV_INVALID_C_PARAM";
    case UNKNOWN_C_ERROR:
      return "OV_UNKNOWN_C_ERROR";
    case NOT_IMPLEMENT_C_METHOD:
      return "OV_NOT_IMPLEMENT_C_METHOD";
    case UNKNOW_EXCEPTION:
      return "OV_UNKNOWN_EXCEPTION";
    default:
      return "OV_UNKNOWN_STATUS";
  }
}

bool StatusMaySetLastError(int status) {
  switch (status) {
    case GENERAL_ERROR:
    case NOT_IMPLEMENTED:
    case REQUEST_BUSY:
    case INFER_CANCELLED:
    case UNKNOW_EXCEPTION:
      return true;
    default:
      return false;
  }
}

std::optional<std::string> ReadLastError(const Symbols& syms) {
  std::optional<std::string> last;
  if (syms.ov_get_last_err_msg == nullptr) return last;
  const char* text = syms.ov_get_last_err_msg();
  if (text != nullptr) {
    if (text[0] != '\0') last = text;
    if (syms.ov_free != nullptr) syms.ov_free(text);
  }
  return last;
}

NativeError StatusError(const Symbols& syms, int status, const char* call,
                        const std::optional<std::string>* before) {
  std::optional<std::string> last;
  if (StatusMaySetLastError(status)) last = ReadLastError(syms);
  if (last && before != nullptr && *before == last) last.reset();
  std::string detail;
  if (last) {
    detail = *last;
  } else if (syms.ov_get_error_info != nullptr) {
    const char* info = syms.ov_get_error_info(static_cast<ov_status_e>(status));
    if (info != nullptr) detail = info;  // static text, not freed
  }
  const char* code = StatusCode(status);
  std::string message = std::string(call) + " failed with " + code + " (" + std::to_string(status) +
                        ")" + (detail.empty() ? "" : ": " + detail);
  NativeError error(code, std::move(message), call);
  error.status = status;
  error.ov_message = std::move(last);
  return error;
}

Napi::Error ToJsError(Napi::Env env, const NativeError& error) {
  Napi::Error js = Napi::Error::New(env, error.message);
  Napi::Object fields = js.Value();
  fields.Set("code", error.code);
  if (error.status) fields.Set("status", *error.status);
  if (!error.call.empty()) fields.Set("call", error.call);
  if (error.ov_message) fields.Set("ovMessage", *error.ov_message);
  if (error.missing) fields.Set("missing", *error.missing);
  if (error.needed_by) fields.Set("neededBy", *error.needed_by);
  return js;
}

}  // namespace ovcache
