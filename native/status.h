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
};

// 'OV_GENERAL_ERROR' for -1 ... 'OV_UNKNOWN_EXCEPTION' for -17, 'OV_UNKNOWN_STATUS' otherwise.
const char* StatusCode(int status);

// Builds the error for a failed `call`. Reads (and frees) ov_get_last_err_msg(): call it right
// after the failing function, on the same thread, since the runtime's store is process-global.
NativeError StatusError(const Symbols& syms, int status, const char* call);

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
