/* The "Done when" program, written against OpenVINO's documented C API only: read a model,
 * reshape, compile twice with CACHE_DIR, check LOADED_FROM_CACHE, infer, export/import.
 * Usage: done_when [mlp.xml]  (else $OVC_FIXTURES/mlp.xml, else a model written here). */
#include "test_common.h"

static void infer_and_check(ov_compiled_model_t* cm, int batch) {
  ov_infer_request_t* req = NULL;
  CHECK_OK(ov_compiled_model_create_infer_request(cm, &req));
  if (!req) return;
  int64_t dims[2] = {batch, 16};
  ov_shape_t shape;
  CHECK_OK(ov_shape_create(2, dims, &shape));
  float* in = (float*)malloc(sizeof(float) * 16 * (size_t)batch);
  for (int i = 0; i < 16 * batch; ++i) in[i] = (float)((i % 16) - 8) / 4.0f + (float)(i / 16);
  ov_tensor_t* t = NULL;
  ov_element_type_e f32 = 0;
  ov_output_const_port_t* port = NULL;
  CHECK_OK(ov_compiled_model_input_by_index(cm, 0, &port));
  CHECK_OK(ov_port_get_element_type(port, &f32));
  ov_output_const_port_free(port);
  CHECK_OK(ov_tensor_create_from_host_ptr(f32, shape, in, &t));
  CHECK_OK(ov_infer_request_set_tensor(req, "input", t));
  CHECK_OK(ov_infer_request_infer(req));
  ov_tensor_t* out = NULL;
  CHECK_OK(ov_infer_request_get_output_tensor_by_index(req, 0, &out));
  if (out) {
    ov_shape_t os;
    CHECK_OK(ov_tensor_get_shape(out, &os));
    CHECK(os.rank == 2 && os.dims[0] == batch && os.dims[1] == 4);
    ov_shape_free(&os);
    float* data = NULL;
    CHECK_OK(ov_tensor_data(out, (void**)&data));
    for (int b = 0; b < batch; ++b) {
      float ref[4];
      mlp_reference(in + 16 * b, ref);
      for (int j = 0; j < 4; ++j) CHECK(near(data[b * 4 + j], ref[j]));
    }
    ov_tensor_free(out);
  }
  ov_tensor_free(t);
  ov_shape_free(&shape);
  free(in);
  ov_infer_request_free(req);
}

int main(int argc, char** argv) {
  char* tmp = make_temp_dir();
  char model_path[4096], cache_dir[4096], export_path[4096];
  const char* fx = getenv("OVC_FIXTURES");
  if (argc > 1)
    snprintf(model_path, sizeof model_path, "%s", argv[1]);
  else if (fx && *fx)
    snprintf(model_path, sizeof model_path, "%s/mlp.xml", fx);
  else
    model_path[0] = 0;
  if (!model_path[0] || access(model_path, R_OK) != 0)
    write_mlp(tmp, "mlp", model_path, sizeof model_path);
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", tmp);
  snprintf(export_path, sizeof export_path, "%s/exported.bin", tmp);
  printf("model: %s\n", model_path);

  ov_version_t version;
  CHECK_OK(ov_get_openvino_version(&version));
  printf("OpenVINO %s (%s)\n", version.buildNumber, version.description);
  ov_version_free(&version);

  ov_core_t* core = NULL;
  CHECK_OK(ov_core_create(&core));
  ov_model_t* model = NULL;
  CHECK_OK(ov_core_read_model(core, model_path, NULL, &model));
  if (!core || !model) return finish("done_when");

  /* reshape the batch to 2 */
  ov_partial_shape_t ps;
  int64_t dims[2] = {2, 16};
  CHECK_OK(ov_partial_shape_create_static(2, dims, &ps));
  CHECK_OK(ov_model_reshape_input_by_name(model, "input", ps));
  ov_partial_shape_free(&ps);
  ov_output_const_port_t* out_port = NULL;
  CHECK_OK(ov_model_const_output_by_index(model, 0, &out_port));
  ov_shape_t os;
  CHECK_OK(ov_const_port_get_shape(out_port, &os));
  CHECK(os.rank == 2 && os.dims[0] == 2 && os.dims[1] == 4);
  ov_shape_free(&os);
  ov_output_const_port_free(out_port);

  /* compile twice with CACHE_DIR: a miss, then a hit */
  CHECK_OK(ov_core_set_property(core, "", ov_property_key_cache_dir, cache_dir));
  char* cd = NULL;
  CHECK_OK(ov_core_get_property(core, "", ov_property_key_cache_dir, &cd));
  CHECK(cd && strcmp(cd, cache_dir) == 0);
  ov_free(cd);
  ov_compiled_model_t* first = NULL;
  ov_compiled_model_t* second = NULL;
  CHECK_OK(ov_core_compile_model(core, model, "CPU", 0, &first));
  CHECK(loaded_from_cache(first) == 0);
  CHECK(count_blobs(cache_dir, NULL, 0) == 1);
  CHECK_OK(ov_core_compile_model(core, model, "CPU", 0, &second));
  CHECK(loaded_from_cache(second) == 1);
  printf("LOADED_FROM_CACHE: first=%d second=%d\n", loaded_from_cache(first),
         loaded_from_cache(second));

  /* free the model before using the compiled models: handles are independent */
  ov_model_free(model);
  infer_and_check(first, 2);
  infer_and_check(second, 2);

  /* export / import */
  CHECK_OK(ov_compiled_model_export_model(second, export_path));
  size_t size = 0;
  char* content = read_all(export_path, &size);
  CHECK(content && size > 0);
  ov_compiled_model_t* imported = NULL;
  CHECK_OK(ov_core_import_model(core, content, size, "CPU", &imported));
  free(content);
  if (imported) {
    /* A plain import is not a cache load (CPU plugin.cpp deserialize_model). */
    CHECK(loaded_from_cache(imported) == 0);
    infer_and_check(imported, 2);
    ov_compiled_model_free(imported);
  }
  ov_compiled_model_free(first);
  ov_compiled_model_free(second);
  ov_core_free(core);
  remove_tree(tmp);
  free(tmp);
  return finish("done_when");
}
