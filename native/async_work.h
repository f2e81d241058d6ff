// AsyncWorker + Promise. Subclasses copy every JS value they need into plain members on the
// main thread (constructor), do the OpenVINO call in Run() on the libuv pool without touching
// JS, and build the result in Settle() back on the main thread.
#pragma once

#include <napi.h>

#include <optional>

#include "status.h"

namespace ovcache {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

  // Marks the used handles busy and queues the work. The worker deletes itself after settling.
  // Call on a worker that was fully constructed; nothing after Begin() may throw.
  Napi::Promise Start() {
    Begin();
    Queue();
    return deferred_.Promise();
  }

 protected:
  // Main thread, once, right before queueing: BeginOp() on every wrap whose handle Run() uses.
  virtual void Begin() {}
  // Worker thread. Throws NativeError on failure; must not touch JS.
  virtual void Run() = 0;
  // Main thread, after Run() succeeded: the resolved value.
  virtual Napi::Value Settle(Napi::Env env) = 0;
  // Main thread, exactly once, after Settle() and before the promise settles (EndOp here).
  virtual void Finish() {}

 private:
  void Execute() final {
    try {
      Run();
    } catch (const NativeError& error) {
      error_ = error;
    } catch (const std::exception& error) {
      error_ = AddonError("OVCACHE_INTERNAL", error.what());
    } catch (...) {
      error_ = AddonError("OVCACHE_INTERNAL", "unknown C++ exception in a worker");
    }
  }

  // Never throws: in a terminating env (worker.terminate()) JS cannot run, every N-API call
  // fails, and an exception escaping here would abort the process. Finish() runs regardless.
  void OnOK() final {
    Napi::Env env = Env();
    Napi::Value result;
    Napi::Value rejection;
    try {
      if (error_) {
        rejection = ToJsError(env, *error_).Value();
      } else {
        try {
          result = Settle(env);
        } catch (const Napi::Error& error) {
          rejection = error.Value();
        } catch (const NativeError& error) {
          rejection = ToJsError(env, error).Value();
        } catch (const std::exception& error) {
          rejection = ToJsError(env, AddonError("OVCACHE_INTERNAL", error.what())).Value();
        }
      }
    } catch (...) {
      rejection = Napi::Value();  // the env is going away: nobody can observe the promise
    }
    Finish();
    try {
      if (rejection.IsEmpty() && !result.IsEmpty()) {
        deferred_.Resolve(result);
      } else if (!rejection.IsEmpty()) {
        deferred_.Reject(rejection);
      }
    } catch (...) {
    }
  }

  void OnError(const Napi::Error& error) final {
    Finish();
    try {
      deferred_.Reject(error.Value());
    } catch (...) {
    }
  }

  Napi::Promise::Deferred deferred_;
  std::optional<NativeError> error_;
};

}  // namespace ovcache
