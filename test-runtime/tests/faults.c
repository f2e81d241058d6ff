/* Every fault knob (OV_STUB_FAIL, OV_STUB_SLOW_WRITE_MS), OV_STUB_LOG, simulated costs. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test_common.h"

static ov_core_t* core;
static char xml[4096];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* returns status; *hit = LOADED_FROM_CACHE */
static ov_status_e run(const char* cache, int* hit) {
  ov_compiled_model_t* cm = NULL;
  ov_status_e st = compile_cached(core, xml, "CPU", cache, NULL, NULL, &cm);
  if (hit) *hit = cm ? loaded_from_cache(cm) : -1;
  ov_compiled_model_free(cm);
  return st;
}

static void fresh(const char* tmp, const char* name, char* out, size_t n) {
  snprintf(out, n, "%s/%s", tmp, name);
}

int main(void) {
  char* tmp = make_temp_dir();
  char cache[4096], blob[8192], logf[4096];
  int hit = -1;
  write_weights_model(tmp, "w", 256 * 1024, xml, sizeof xml);
  snprintf(logf, sizeof logf, "%s/log.jsonl", tmp);
  setenv("OV_STUB_LOG", logf, 1);
  CHECK_OK(ov_core_create(&core));

  /* write-enospc: entry removed, compile succeeds uncached (after PR #35132) */
  fresh(tmp, "enospc", cache, sizeof cache);
  setenv("OV_STUB_FAIL", "write-enospc", 1);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0 && count_blobs(cache, NULL, 0) == 0);
  /* write-enospc-fatal: the compile fails (before PR #35132) */
  setenv("OV_STUB_FAIL", "write-enospc-fatal", 1);
  CHECK_STATUS(run(cache, NULL), GENERAL_ERROR);
  CHECK(last_error_has("No space left on device"));
  unsetenv("OV_STUB_FAIL");
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0); /* the partial blob left by the fatal write was rejected */
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 1);

  /* write-short: silent short write; the next load rejects and recompiles */
  fresh(tmp, "short", cache, sizeof cache);
  setenv("OV_STUB_FAIL", "write-short", 1);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0 && count_blobs(cache, blob, sizeof blob) == 1);
  unsetenv("OV_STUB_FAIL");
  CHECK(file_size(blob) < 256 * 1024 * 3);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 1);

  /* write-corrupt: full size, bad checksum */
  fresh(tmp, "corrupt", cache, sizeof cache);
  setenv("OV_STUB_FAIL", "write-corrupt", 1);
  CHECK_OK(run(cache, &hit));
  unsetenv("OV_STUB_FAIL");
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 1);

  /* read-eio: the blob cannot be read: removed, recompiled, rewritten */
  setenv("OV_STUB_FAIL", "read-eio", 1);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0 && count_blobs(cache, NULL, 0) == 1);
  unsetenv("OV_STUB_FAIL");
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 1);

  /* compile: the compile itself fails */
  setenv("OV_STUB_FAIL", "compile", 1);
  ov_compiled_model_t* cm = NULL;
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm), GENERAL_ERROR);
  unsetenv("OV_STUB_FAIL");

  /* slow write: kill the writer mid-write, the partial blob is then rejected */
  fresh(tmp, "slow", cache, sizeof cache);
  pid_t pid = fork();
  if (pid < 0) { /* never reach kill(-1, ...): it would signal every process of the user */
    perror("FAIL fork");
    return 1;
  }
  if (pid == 0) {
    setenv("OV_STUB_SLOW_WRITE_MS", "5000", 1);
    ov_core_t* c2 = NULL;
    ov_core_create(&c2);
    ov_compiled_model_t* m = NULL;
    compile_cached(c2, xml, "CPU", cache, NULL, NULL, &m);
    _exit(0);
  }
  for (int i = 0; i < 200 && count_blobs(cache, blob, sizeof blob) == 0; ++i) usleep(10000);
  usleep(100000);
  long partial = file_size(blob);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  printf("killed writer left %ld bytes\n", partial);
  CHECK(partial > 0 && partial < 256 * 1024 * 3);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 0);
  CHECK_OK(run(cache, &hit));
  CHECK(hit == 1);

  /* compile and import costs */
  fresh(tmp, "cost", cache, sizeof cache);
  setenv("OV_STUB_COMPILE_MS", "200", 1);
  double t0 = now();
  CHECK_OK(run(cache, &hit));
  double compile_ms = now() - t0;
  setenv("OV_STUB_IMPORT_MS_PER_MB", "1000", 1);
  t0 = now();
  CHECK_OK(run(cache, &hit));
  double import_ms = now() - t0;
  printf("compile %.0f ms, import %.0f ms\n", compile_ms, import_ms);
  CHECK(compile_ms >= 200);
  CHECK(import_ms >= 800); /* ~0.9 MB blob at 1000 ms/MB */
  unsetenv("OV_STUB_COMPILE_MS");
  unsetenv("OV_STUB_IMPORT_MS_PER_MB");
  setenv("OV_STUB_COMPILE_MS_PER_MB", "2000", 1);
  t0 = now();
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm));
  ov_compiled_model_free(cm);
  CHECK(now() - t0 >= 450);
  unsetenv("OV_STUB_COMPILE_MS_PER_MB");

  /* the log: one JSON line per event */
  unsetenv("OV_STUB_LOG");
  char* log = read_all(logf, NULL);
  CHECK(log != NULL);
  if (log) {
    const char* events[] = {"\"event\":\"compile\"",
                            "\"event\":\"import\"",
                            "\"event\":\"blob_write\"",
                            "\"event\":\"blob_read\"",
                            "\"event\":\"blob_remove\"",
                            "\"event\":\"blob_reject\"",
                            "\"event\":\"read_model\"",
                            "\"pid\":",
                            "\"blob\":\"",
                            "\"bytes\":"};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; ++i)
      CHECK(strstr(log, events[i]) != NULL);
    int lines = 0;
    for (char* p = log; *p; ++p)
      if (*p == '\n') {
        ++lines;
        CHECK(p[1] == 0 || p[1] == '{');
      }
    printf("log: %d lines\n", lines);
    free(log);
  }

  /* OV_STUB_DEVICES */
  ov_available_devices_t devs;
  CHECK_OK(ov_core_get_available_devices(core, &devs));
  CHECK(devs.size == 1 && strcmp(devs.devices[0], "CPU") == 0);
  ov_available_devices_free(&devs);
  CHECK_STATUS(ov_core_compile_model_from_file(core, xml, "GPU", 0, &cm), GENERAL_ERROR);
  setenv("OV_STUB_DEVICES", "CPU,GPU", 1);
  CHECK_OK(ov_core_get_available_devices(core, &devs));
  CHECK(devs.size == 2 && strcmp(devs.devices[1], "GPU") == 0);
  ov_available_devices_free(&devs);
  char* v = NULL;
  CHECK_OK(ov_core_get_property(core, "GPU", "DEVICE_ARCHITECTURE", &v));
  CHECK(v && strcmp(v, "GPU: vendor=0x8086 arch=v12.55.8") == 0);
  ov_free(v);
  /* core level ("") answers only CACHE_DIR, ENABLE_MMAP, FORCE_TBB_TERMINATE (core_impl.cpp) */
  v = NULL;
  CHECK_STATUS(ov_core_get_property(core, "", ov_property_key_available_devices, &v),
               GENERAL_ERROR);
  CHECK(v == NULL);
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "GPU", 0, &cm));
  ov_compiled_model_free(cm);
  unsetenv("OV_STUB_DEVICES");

  ov_core_free(core);
  remove_tree(tmp);
  free(tmp);
  return finish("faults");
}
