// The TBB stand-in (libtbb.so.12): the core needs it by soname, as OpenVINO's libopenvino.so
// needs oneTBB's libtbb.so.12. It exports the one C function oneTBB exports for a version
// check (TBB_runtime_interface_version, include/oneapi/tbb/version.h in uxlfoundation/oneTBB).
#define TBB_STUB_API extern "C" __attribute__((visibility("default")))

// 12130 = oneTBB 2021.13's TBB_INTERFACE_VERSION (major 12, minor 13).
TBB_STUB_API int TBB_runtime_interface_version() { return 12130; }
