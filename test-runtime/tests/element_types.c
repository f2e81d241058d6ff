/* Element type numbering follows the reported release (OV_STUB_VERSION). */
#include "test_common.h"

static int f32_code(ov_core_t* core, const char* xml) {
  ov_model_t* m = NULL;
  ov_output_const_port_t* p = NULL;
  ov_element_type_e t = -1;
  if (ov_core_read_model(core, xml, NULL, &m) != OK) return -100;
  ov_model_const_input_by_index(m, 0, &p);
  ov_port_get_element_type(p, &t);
  ov_output_const_port_free(p);
  ov_model_free(m);
  return t;
}

static int tensor_roundtrip(int code) {
  int64_t d[1] = {4};
  ov_shape_t s = {1, d};
  ov_tensor_t* t = NULL;
  if (ov_tensor_create(code, s, &t) != OK) return -1;
  ov_element_type_e back = -1;
  size_t bytes = 0;
  ov_tensor_get_element_type(t, &back);
  ov_tensor_get_byte_size(t, &bytes);
  ov_tensor_free(t);
  return back == code ? (int)bytes : -2;
}

int main(void) {
  char* tmp = make_temp_dir();
  char xml[4096];
  write_mlp(tmp, "mlp", xml, sizeof xml);
  ov_core_t* core = NULL;
  CHECK_OK(ov_core_create(&core));
  ov_version_t v;

  /* default 2025.4: renumbered in 2025.1 (DYNAMIC=0, F32=4, I32=9, I64=10, U8=16) */
  CHECK(f32_code(core, xml) == 4);
  CHECK(tensor_roundtrip(4) == 16);  /* f32 */
  CHECK(tensor_roundtrip(10) == 32); /* i64 */
  CHECK(tensor_roundtrip(16) == 4);  /* u8 */
  CHECK(tensor_roundtrip(3) == 8);   /* f16 */
  CHECK(tensor_roundtrip(0) == -1);  /* dynamic: GENERAL_ERROR */
  CHECK(ov_tensor_create(99, (ov_shape_t){0, NULL}, &(ov_tensor_t*){NULL}) == INVALID_C_PARAM);

  setenv("OV_STUB_VERSION", "2025.0.0-17942", 1); /* the last legacy release */
  CHECK(f32_code(core, xml) == 5);
  CHECK(tensor_roundtrip(5) == 16);  /* f32 */
  CHECK(tensor_roundtrip(11) == 32); /* i64 */
  CHECK(tensor_roundtrip(17) == 4);  /* u8 */
  CHECK(tensor_roundtrip(4) == 8);   /* f16 */
  CHECK(tensor_roundtrip(0) == -1);  /* undefined */

  setenv("OV_STUB_VERSION", "2025.1.0-18503", 1);
  CHECK(f32_code(core, xml) == 4);
  CHECK(tensor_roundtrip(16) == 4); /* u8 */

  setenv("OV_STUB_VERSION", "2026.0.0-20500", 1);
  CHECK_OK(ov_get_openvino_version(&v));
  CHECK(strcmp(v.buildNumber, "2026.0.0-20500") == 0);
  ov_version_free(&v);
  CHECK(f32_code(core, xml) == 4);
  CHECK(tensor_roundtrip(4) == 16);  /* f32 */
  CHECK(tensor_roundtrip(9) == 16);  /* i32 */
  CHECK(tensor_roundtrip(10) == 32); /* i64 */
  CHECK(tensor_roundtrip(16) == 4);  /* u8 */
  CHECK(tensor_roundtrip(0) == -1);  /* dynamic */

  setenv("OV_STUB_VERSION", "2024.6.0-17404", 1);
  CHECK(f32_code(core, xml) == 5);
  CHECK(tensor_roundtrip(17) == 4); /* u8 */

  setenv("OV_STUB_VERSION", "2024.1.0-15008", 1);
  CHECK(f32_code(core, xml) == 5);
  CHECK(tensor_roundtrip(14) == 4); /* u8 before U2/U3/U6 were added */
  unsetenv("OV_STUB_VERSION");

  ov_core_version_list_t vl;
  CHECK_OK(ov_core_get_versions_by_device_name(core, "CPU", &vl));
  CHECK(vl.size == 1 && strcmp(vl.versions[0].device_name, "CPU") == 0);
  ov_core_versions_free(&vl);

  ov_core_free(core);
  remove_tree(tmp);
  free(tmp);
  return finish("element_types");
}
