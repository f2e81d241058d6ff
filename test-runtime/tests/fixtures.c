/* Reads the fixtures written by scripts/make-fixtures.ts ($OVC_FIXTURES or argv[1]) and checks
 * their shapes and numbers; skipped (exit 0) when no fixtures folder is given. */
#include "test_common.h"

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : getenv("OVC_FIXTURES");
  char p[4096];
  if (!dir || !*dir) {
    printf("fixtures: skipped (no OVC_FIXTURES)\n");
    return 0;
  }
  ov_core_t* core = NULL;
  CHECK_OK(ov_core_create(&core));
  ov_model_t* m = NULL;
  snprintf(p, sizeof p, "%s/image.xml", dir);
  CHECK_OK(ov_core_read_model(core, p, NULL, &m));
  ov_partial_shape_t ps;
  ov_dimension_t d[4] = {{1, 1}, {3, 3}, {-1, -1}, {-1, -1}};
  CHECK_OK(ov_partial_shape_create(4, d, &ps));
  CHECK_OK(ov_model_reshape_input_by_name(m, "image", ps));
  ov_partial_shape_free(&ps);
  CHECK(ov_model_is_dynamic(m));
  ov_model_free(m);

  snprintf(p, sizeof p, "%s/two-inputs.xml", dir);
  ov_compiled_model_t* cm = NULL;
  CHECK_OK(ov_core_compile_model_from_file(core, p, "CPU", 0, &cm));
  size_t n = 0;
  CHECK_OK(ov_compiled_model_inputs_size(cm, &n));
  CHECK(n == 2);
  ov_infer_request_t* req = NULL;
  CHECK_OK(ov_compiled_model_create_infer_request(cm, &req));
  float a[8], b[8];
  for (int i = 0; i < 8; ++i) a[i] = (float)i, b[i] = 10.0f * (float)i;
  int64_t dims[2] = {1, 8};
  ov_tensor_t *ta = NULL, *tb = NULL, *out = NULL;
  CHECK_OK(ov_tensor_create_from_host_ptr(TEST_F32, (ov_shape_t){2, dims}, a, &ta));
  CHECK_OK(ov_tensor_create_from_host_ptr(TEST_F32, (ov_shape_t){2, dims}, b, &tb));
  CHECK_OK(ov_infer_request_set_tensor(req, "a", ta));
  CHECK_OK(ov_infer_request_set_tensor(req, "b", tb));
  CHECK_OK(ov_infer_request_infer(req));
  CHECK_OK(ov_infer_request_get_tensor(req, "sum", &out));
  float* y = NULL;
  CHECK_OK(ov_tensor_data(out, (void**)&y));
  for (int i = 0; i < 8; ++i) CHECK(y && near(y[i], 11.0f * (float)i));
  ov_tensor_free(ta);
  ov_tensor_free(tb);
  ov_tensor_free(out);
  ov_infer_request_free(req);
  ov_compiled_model_free(cm);
  ov_core_free(core);
  return finish("fixtures");
}
