// Output ports (model and compiled-model inputs/outputs) as { name, shape, elementType }.
#pragma once

#include <napi.h>

#include <string>

#include "runtime_wrap.h"

namespace ovcache {

// Takes ownership of `port` (freed here, also on error).
Napi::Object PortToJs(Napi::Env env, const Runtime& runtime, ov_output_const_port_t* port);

// ov_port_get_any_name; "" when the port has no name (or the call fails). Takes no ownership.
std::string PortName(const Symbols& syms, const ov_output_const_port_t* port);

// Frees `port` when it goes out of scope.
class PortHolder {
 public:
  PortHolder(const Symbols& syms, ov_output_const_port_t* port) : syms_(syms), port_(port) {}
  ~PortHolder() {
    if (port_ != nullptr && syms_.ov_output_const_port_free != nullptr) {
      syms_.ov_output_const_port_free(port_);
    }
  }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;
  ov_output_const_port_t* get() const { return port_; }

 private:
  const Symbols& syms_;
  ov_output_const_port_t* port_;
};

}  // namespace ovcache
