/* CACHE_DIR hit/miss/invalidation sequence, blob layout, ids, GPU weightless blobs. */
#include <time.h>
#include <utime.h>

#include "test_common.h"

static ov_core_t* core;

static int compile_once(const char* path, const char* dev, const char* cache, const char* k,
                        const char* v) {
  ov_compiled_model_t* cm = NULL;
  ov_status_e st = compile_cached(core, path, dev, cache, k, v, &cm);
  if (st != OK) {
    const char* m = ov_get_last_err_msg();
    fprintf(stderr, "compile failed: %s\n", m ? m : "?");
    ov_free(m);
    return -1;
  }
  int hit = loaded_from_cache(cm);
  ov_compiled_model_free(cm);
  return hit;
}

int main(void) {
  char* tmp = make_temp_dir();
  char xml[4096], cache[4096], blob[8192], blob2[8192];
  snprintf(cache, sizeof cache, "%s/cache", tmp);
  write_weights_model(tmp, "w", 64 * 1024, xml, sizeof xml);
  CHECK_OK(ov_core_create(&core));

  /* miss, then hit */
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 0);
  CHECK(count_blobs(cache, blob, sizeof blob) == 1);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 1);
  CHECK(count_blobs(cache, NULL, 0) == 1);

  /* layout: header line, read-only, size ~ weights x 3.5 */
  size_t size = 0;
  char* content = read_all(blob, &size);
  const char* head = "<compiled_blob ie_version=\"2025.4.0-20398-stub\" file_info=\"";
  CHECK(content && strncmp(content, head, strlen(head)) == 0);
  CHECK(content && strstr(content, "runtime_info=\"") != NULL && strchr(content, '\n') != NULL);
  struct stat st;
  CHECK(stat(blob, &st) == 0 && (st.st_mode & 0222) == 0);
  CHECK(size > 64 * 1024 * 3.5 && size < 64 * 1024 * 3.5 + 16384);
  printf("blob %s: %zu bytes\n", blob, size);

  /* import of a cache blob (with header) fails */
  ov_compiled_model_t* cm = NULL;
  CHECK_STATUS(ov_core_import_model(core, content, size, "CPU", &cm), GENERAL_ERROR);
  free(content);

  /* NUM_STREAMS is not caching-relevant; PERFORMANCE_HINT is */
  CHECK(compile_once(xml, "CPU", cache, "NUM_STREAMS", "4") == 1);
  CHECK(compile_once(xml, "CPU", cache, "INFERENCE_NUM_THREADS", "2") == 1);
  CHECK(compile_once(xml, "CPU", cache, "PERFORMANCE_HINT", "THROUGHPUT") == 0);
  CHECK(count_blobs(cache, NULL, 0) == 2);
  CHECK(compile_once(xml, "CPU", cache, "PERFORMANCE_HINT", "THROUGHPUT") == 1);

  /* replacing only the .bin is not detected (hit) */
  char bin[4096];
  snprintf(bin, sizeof bin, "%s/w.bin", tmp);
  FILE* f = fopen(bin, "r+b");
  float x = 42.0f;
  fwrite(&x, sizeof x, 1, f);
  fclose(f);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 1);

  /* touching the .xml (mtime) invalidates: deleted and recompiled under the same id */
  struct utimbuf ut = {time(NULL) + 100, time(NULL) + 100};
  CHECK(utime(xml, &ut) == 0);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 0);
  CHECK(access(blob, F_OK) == 0);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 1);

  /* a version change rewrites the blob under the same id */
  setenv("OV_STUB_VERSION", "2025.4.1-20426-stub", 1);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 0);
  content = read_all(blob, &size);
  CHECK(content && strstr(content, "ie_version=\"2025.4.1-20426-stub\"") != NULL);
  free(content);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 1);
  unsetenv("OV_STUB_VERSION");
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 0);

  /* a corrupt payload is rejected, deleted and recompiled */
  chmod(blob, 0644);
  f = fopen(blob, "r+b");
  fseek(f, -100, SEEK_END);
  fputc('X', f);
  fputc('Y', f);
  fclose(f);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 0);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 1);

  /* a truncated blob likewise */
  chmod(blob, 0644);
  CHECK(truncate(blob, 1000) == 0);
  CHECK(compile_once(xml, "CPU", cache, NULL, NULL) == 0);
  CHECK(file_size(blob) > 1000);

  /* CACHE_DIR on the core, per device */
  char cache2[4096];
  snprintf(cache2, sizeof cache2, "%s/cache-cpu", tmp);
  CHECK_OK(ov_core_set_property(core, "CPU", ov_property_key_cache_dir, cache2));
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm));
  CHECK(loaded_from_cache(cm) == 0);
  ov_compiled_model_free(cm);
  CHECK(count_blobs(cache2, NULL, 0) == 1);
  CHECK_OK(ov_core_compile_model_from_file(core, xml, "CPU", 0, &cm));
  CHECK(loaded_from_cache(cm) == 1);
  ov_compiled_model_free(cm);

  /* model objects: id from topology + weights + shapes */
  char cache3[4096];
  snprintf(cache3, sizeof cache3, "%s/cache-model", tmp);
  ov_model_t* model = NULL;
  CHECK_OK(ov_core_read_model(core, xml, NULL, &model));
  CHECK_OK(ov_core_compile_model(core, model, "CPU", 2, &cm, "CACHE_DIR", cache3));
  CHECK(loaded_from_cache(cm) == 0);
  ov_compiled_model_free(cm);
  CHECK_OK(ov_core_compile_model(core, model, "CPU", 2, &cm, "CACHE_DIR", cache3));
  CHECK(loaded_from_cache(cm) == 1);
  ov_compiled_model_free(cm);
  ov_partial_shape_t ps;
  int64_t d2[2] = {2, 64 * 256};
  CHECK_OK(ov_partial_shape_create_static(2, d2, &ps));
  CHECK_OK(ov_model_reshape_input_by_name(model, "input", ps));
  ov_partial_shape_free(&ps);
  CHECK_OK(ov_core_compile_model(core, model, "CPU", 2, &cm, "CACHE_DIR", cache3));
  CHECK(loaded_from_cache(cm) == 0);
  ov_compiled_model_free(cm);
  CHECK(count_blobs(cache3, NULL, 0) == 2);
  ov_model_free(model);
  /* changed weights -> new id for model objects */
  CHECK_OK(ov_core_read_model(core, xml, NULL, &model));
  f = fopen(bin, "r+b");
  x = 7.0f;
  fwrite(&x, sizeof x, 1, f);
  fclose(f);
  ov_model_t* model2 = NULL;
  CHECK_OK(ov_core_read_model(core, xml, NULL, &model2));
  CHECK_OK(ov_core_compile_model(core, model2, "CPU", 2, &cm, "CACHE_DIR", cache3));
  CHECK(loaded_from_cache(cm) == 0);
  ov_compiled_model_free(cm);
  ov_model_free(model);
  ov_model_free(model2);

  /* GPU: OPTIMIZE_SIZE writes a much smaller (weightless) blob that still loads */
  setenv("OV_STUB_DEVICES", "CPU,GPU", 1);
  char cg[4096], cg2[4096];
  snprintf(cg, sizeof cg, "%s/gpu-speed", tmp);
  snprintf(cg2, sizeof cg2, "%s/gpu-size", tmp);
  CHECK(compile_once(xml, "GPU", cg, NULL, NULL) == 0);
  CHECK(compile_once(xml, "GPU", cg2, "CACHE_MODE", "OPTIMIZE_SIZE") == 0);
  CHECK(count_blobs(cg, blob, sizeof blob) == 1);
  CHECK(count_blobs(cg2, blob2, sizeof blob2) == 1);
  printf("GPU blobs: OPTIMIZE_SPEED %ld bytes, OPTIMIZE_SIZE %ld bytes\n", file_size(blob),
         file_size(blob2));
  CHECK(file_size(blob2) * 10 < file_size(blob));
  CHECK(compile_once(xml, "GPU", cg2, "CACHE_MODE", "OPTIMIZE_SIZE") == 1);
  /* SUPPORTED_PROPERTIES lists CACHE_MODE / ENABLE_WEIGHTLESS per OV_STUB_WEIGHTLESS (default:
     GPU both, CPU neither); a device that does not list them writes full blobs. */
  char* props = NULL;
  CHECK(ov_core_get_property(core, "GPU", "SUPPORTED_PROPERTIES", &props) == OK);
  CHECK(strstr(props, "CACHE_MODE") && strstr(props, "ENABLE_WEIGHTLESS"));
  ov_free(props);
  CHECK(ov_core_get_property(core, "CPU", "SUPPORTED_PROPERTIES", &props) == OK);
  CHECK(!strstr(props, "CACHE_MODE") && !strstr(props, "ENABLE_WEIGHTLESS"));
  ov_free(props);
  char cw[4096], cw2[4096];
  snprintf(cw, sizeof cw, "%s/cpu-weightless-unlisted", tmp);
  snprintf(cw2, sizeof cw2, "%s/cpu-weightless-listed", tmp);
  CHECK(compile_once(xml, "CPU", cw, "ENABLE_WEIGHTLESS", "YES") == 0);
  CHECK(count_blobs(cw, blob, sizeof blob) == 1);
  long full = file_size(blob);
  setenv("OV_STUB_WEIGHTLESS", "CPU:ENABLE_WEIGHTLESS", 1);
  CHECK(ov_core_get_property(core, "CPU", "SUPPORTED_PROPERTIES", &props) == OK);
  CHECK(strstr(props, "ENABLE_WEIGHTLESS") && !strstr(props, "CACHE_MODE"));
  ov_free(props);
  CHECK(ov_core_get_property(core, "GPU", "SUPPORTED_PROPERTIES", &props) == OK);
  CHECK(!strstr(props, "ENABLE_WEIGHTLESS"));
  ov_free(props);
  CHECK(compile_once(xml, "CPU", cw2, "ENABLE_WEIGHTLESS", "YES") == 0);
  CHECK(count_blobs(cw2, blob2, sizeof blob2) == 1);
  CHECK(file_size(blob2) * 10 < full);
  CHECK(compile_once(xml, "CPU", cw2, "ENABLE_WEIGHTLESS", "YES") == 1);
  /* CACHE_MODE is not listed on CPU here: OPTIMIZE_SIZE writes a full blob */
  snprintf(cw2, sizeof cw2, "%s/cpu-size-unlisted", tmp);
  CHECK(compile_once(xml, "CPU", cw2, "CACHE_MODE", "OPTIMIZE_SIZE") == 0);
  CHECK(count_blobs(cw2, blob2, sizeof blob2) == 1);
  CHECK(file_size(blob2) * 10 > full);
  unsetenv("OV_STUB_WEIGHTLESS");

  /* GPU_ARCH is caching-relevant on GPU */
  setenv("OV_STUB_GPU_ARCH", "GPU: vendor=0x8086 arch=v12.71.4", 1);
  CHECK(compile_once(xml, "GPU", cg, NULL, NULL) == 0);
  CHECK(count_blobs(cg, NULL, 0) == 2);
  unsetenv("OV_STUB_GPU_ARCH");
  unsetenv("OV_STUB_DEVICES");

  /* OV_STUB_BLOB_FACTOR */
  char cf[4096];
  snprintf(cf, sizeof cf, "%s/factor", tmp);
  setenv("OV_STUB_BLOB_FACTOR", "1", 1);
  CHECK(compile_once(xml, "CPU", cf, NULL, NULL) == 0);
  CHECK(count_blobs(cf, blob, sizeof blob) == 1);
  CHECK(file_size(blob) < 64 * 1024 + 16384);
  unsetenv("OV_STUB_BLOB_FACTOR");

  ov_core_free(core);
  remove_tree(tmp);
  free(tmp);
  return finish("cache_sequence");
}
