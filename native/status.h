// Errors: ov_status_e -> stable code strings, and the one error type the addon raises.
// NativeError is plain C++ (safe on worker threads); it becomes a JS Error with the fields
// code / status / call / ovMessage only on the main thread (ToJsError, Guard).
#pragma once

#include <napi.h>

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "ov_c_api.h"

namespace ovcache {

struct Symbols;

class NativeError : public std::exception {
 public:
  NativeError(std::string error_code, std::string text, std::string function = std::string())
      : code(std::move(error_code)), message(std::move(text)), call(std::move(function)) {}
  const char* what() const noexcept override { return message.c_str(); }

  std::string code;                       // 'OV_GENERAL_ERROR', 'OVCACHE_DISPOSED', ...
  std::string message;                    // the JS Error's message
  std::string call;                       // the failing or missing C function; "" when none
  std::optional<int> status;              // ov_status_e, for OpenVINO failures only
  std::optional<std::string> ov_message;  // ov_get_last_err_msg() text, when there was one
  std::optional<std::string> missing;     // a runtime dependency the loader could not find
  std::optional<std::string> needed_by;   // the library that needs `missing`
};

// 'OV_GENERAL_ERROR' for -1 ... 'OV_UNKNOWN_EXCEPTION' for -17, 'OV_UNKNOWN_STATUS' otherwise.
const char* StatusCode(int status);

// Whether upstream can have set the last-error text for this status: only CATCH_OV_EXCEPTIONS
// (src/bindings/c/src/common.h) sets it, and it maps exceptions to REQUEST_BUSY,
// INFER_CANCELLED, NOT_IMPLEMENTED, GENERAL_ERROR and UNKNOW_EXCEPTION. INVALID_C_PARAM,
// PARAMETER_MISMATCH, NOT_FOUND, RESULT_NOT_READY are returned around it, and the store is
// never cleared on success, so the text there belongs to an older failure.
bool StatusMaySetLastError(int status);

// ov_get_last_err_msg() now (copied and freed), or nothing.
std::optional<std::string> ReadLastError(const Symbols& syms);

// Builds the error for a failed `call`. Attaches ov_get_last_err_msg() only when the status
// can carry it, and (with `before`, read just before the call) only when it changed: a
// GENERAL_ERROR returned without an exception (export_model failing to open its file) must
// not carry an older failure's text. Call it right after the failing function: the runtime's
// store is process-global.
NativeError StatusError(const Symbols& syms, int status, const char* call,
                        const std::optional<std::string>* before = nullptr);

inline void CheckStatus(const Symbols& syms, ov_status_e status, const char* call) {
  if (status != OK) throw StatusError(syms, status, call);
}

// An addon-level error (code 'OVCACHE_*').
inline NativeError AddonError(const char* code, std::string message, const char* call = "") {
  return NativeError(code, std::move(message), call);
}

// Main thread only.
Napi::Error ToJsError(Napi::Env env, const NativeError& error);

// Runs `fn` on the main thread; any NativeError or other C++ exception leaves as a JS Error
// with a code, so no C++ exception reaches node-addon-api unconverted.
template <typename Fn>
auto Guard(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const NativeError& error) {
    throw ToJsError(env, error);
  } catch (const std::exception& error) {
    throw ToJsError(env, AddonError("OVCACHE_INTERNAL", error.what()));
  }
}

}  // namespace ovcache
