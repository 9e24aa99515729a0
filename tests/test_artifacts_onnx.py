"""The dependency-free ONNX reader against models built with the real onnx package."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.artifacts.interface import ArtifactError
from envaudit.artifacts.onnx import OnnxTensor, parse_onnx, read_onnx

onnx = pytest.importorskip("onnx")
helper, numpy_helper, TensorProto = onnx.helper, onnx.numpy_helper, onnx.TensorProto
np = pytest.importorskip("numpy")


def _detector(**model_kwargs: object) -> object:
    """A small detector: dynamic-batch image input, a Conv with an initializer, ONNX NMS."""
    weight = numpy_helper.from_array(np.ones((4, 3, 3, 3), dtype=np.float32), "conv.weight")
    iou = numpy_helper.from_array(np.array([0.7], dtype=np.float32), "iou")
    score = helper.make_node("Constant", [], ["score"], value_float=0.25)
    max_out = numpy_helper.from_array(np.array([300], dtype=np.int64), "max_out")
    nodes = [
        helper.make_node(
            "Conv", ["images", "conv.weight"], ["feat"], name="conv", pads=[1, 1, 1, 1]
        ),
        score,
        helper.make_node(
            "NonMaxSuppression",
            ["boxes", "scores", "max_out", "iou", "score"],
            ["selected"],
            name="nms",
            center_point_box=1,
        ),
    ]
    graph = helper.make_graph(
        nodes,
        "det",
        [
            helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 640, 640]),
            helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, None, 4]),
            helper.make_tensor_value_info("scores", TensorProto.FLOAT, None),
            # IR < 4 listed initializers as inputs too; they are not model inputs.
            helper.make_tensor_value_info("conv.weight", TensorProto.FLOAT, [4, 3, 3, 3]),
        ],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, [None, 3])],
        initializer=[weight, iou, max_out],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, **model_kwargs)
    helper.set_model_props(model, {"stride": "32", "names": "{0: 'person'}"})
    return model


def test_header_signature_and_metadata(tmp_path: Path) -> None:
    model = _detector(producer_name="pytorch", producer_version="2.13.0")
    path = tmp_path / "det.onnx"
    onnx.save(model, path)
    got = read_onnx(path)
    assert got.ir_version == model.ir_version
    assert (got.producer_name, got.producer_version) == ("pytorch", "2.13.0")
    assert got.opsets == {"": 17, "com.microsoft": 1}
    assert got.metadata == {"stride": "32", "names": "{0: 'person'}"}
    assert got.inputs == (
        OnnxTensor("images", "float32", ("batch", 3, 640, 640)),
        OnnxTensor("boxes", "float32", (1, None, 4)),
        OnnxTensor("scores", "float32", (), rank_known=False),
    )
    assert got.outputs == (OnnxTensor("selected", "int64", (None, 3)),)
    assert got.external_data == ()


def test_nms_node_attributes_and_constant_inputs() -> None:
    got = parse_onnx(_detector().SerializeToString())
    (nms,) = got.nms_nodes
    assert (nms.op_type, nms.domain, nms.name) == ("NonMaxSuppression", "", "nms")
    assert nms.attributes == {"center_point_box": 1}
    assert nms.inputs == ("boxes", "scores", "max_out", "iou", "score")
    assert nms.constant_inputs == {"max_out": 300, "iou": pytest.approx(0.7), "score": 0.25}


def test_tensorrt_nms_plugin_in_custom_domain_with_list_attributes() -> None:
    node = helper.make_node(
        "EfficientNMS_TRT",
        ["boxes", "scores"],
        ["num", "det_boxes"],
        domain="TRT",
        iou_threshold=0.45,
        score_threshold=0.25,
        max_output_boxes=100,
        plugin_version="1",
        anchors=[1, 2, 3],
    )
    node.attribute.append(helper.make_attribute("empty", [], attr_type=onnx.AttributeProto.INTS))
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("boxes", TensorProto.UINT8, [1, 8400, 4])],
        [helper.make_tensor_value_info("num", TensorProto.INT32, [1, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("TRT", 1)])
    (nms,) = parse_onnx(model.SerializeToString()).nms_nodes
    assert nms.domain == "TRT"
    assert nms.attributes["iou_threshold"] == pytest.approx(0.45)
    assert nms.attributes["max_output_boxes"] == 100
    assert nms.attributes["plugin_version"] == "1"
    assert nms.attributes["anchors"] == (1, 2, 3)
    assert nms.attributes["empty"] == ()


def test_nms_inside_a_subgraph_sees_outer_constants() -> None:
    inner_nms = helper.make_node("NonMaxSuppression", ["b", "s", "", "iou"], ["sel"], name="in")
    body = helper.make_graph(
        [inner_nms], "body", [], [helper.make_tensor_value_info("sel", TensorProto.INT64, None)]
    )
    cond = helper.make_node("If", ["c"], ["sel"], then_branch=body, else_branch=body)
    iou = numpy_helper.from_array(np.array(0.5, dtype=np.float64), "iou")
    graph = helper.make_graph(
        [cond],
        "g",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("sel", TensorProto.INT64, None)],
        initializer=[iou],
    )
    got = parse_onnx(helper.make_model(graph).SerializeToString())
    assert [n.name for n in got.nms_nodes] == ["in", "in"]
    assert got.nms_nodes[0].constant_inputs == {"iou": 0.5}
    assert got.inputs == (OnnxTensor("c", "bool", ()),)


def test_external_data_locations_are_listed_and_not_loaded(tmp_path: Path) -> None:
    model = _detector()
    path = tmp_path / "big.onnx"
    onnx.save(model, path, save_as_external_data=True, location="big.onnx.data", size_threshold=0)
    got = read_onnx(path)
    assert got.external_data == ("big.onnx.data",)
    assert (tmp_path / "big.onnx.data").exists()


def test_large_initializer_is_skipped_not_decoded(tmp_path: Path) -> None:
    model = _detector()
    big = numpy_helper.from_array(np.zeros(4_000_000, dtype=np.float32), "big")
    model.graph.initializer.append(big)
    path = tmp_path / "m.onnx"
    onnx.save(model, path)
    assert read_onnx(path).opsets[""] == 17


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\x08", "truncated varint", id="truncated-varint"),
        pytest.param(b"\x08\x07\x3a\x05ab", "runs past the end", id="truncated-graph"),
        pytest.param(b"\x0b\x00", "wire type 3", id="group"),
        pytest.param(b"hello world, not a model", "", id="text"),
        pytest.param(b"\x12\x03abc", "no ir_version", id="no-ir"),
        pytest.param(b"\x08\x07", "no graph", id="no-graph"),
        pytest.param(b"\x08\x07\x12\x02\xff\xfe\x3a\x00", "UTF-8", id="bad-utf8"),
    ],
)
def test_malformed_files_give_one_line_errors(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(data)
    with pytest.raises(ArtifactError) as info:
        read_onnx(path)
    text = str(info.value)
    assert str(path) in text and message in text and "\n" not in text


def test_truncated_real_model(tmp_path: Path) -> None:
    data = _detector().SerializeToString()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) - 7])
    with pytest.raises(ArtifactError, match="not a valid ONNX model"):
        read_onnx(path)


def _length_delimited(number: int, payload: bytes) -> bytes:
    """Encode one length-delimited protobuf field (payloads here stay under 2**28 bytes)."""
    size, out = len(payload), bytearray()
    while True:
        out.append((size & 0x7F) | (0x80 if size > 0x7F else 0))
        size >>= 7
        if not size:
            break
    return bytes([number << 3 | 2]) + bytes(out) + payload


def test_deeply_nested_subgraphs_are_refused() -> None:
    # Built by hand: the protobuf runtime itself refuses to build messages this deep.
    graph = b""
    for _ in range(40):
        attribute = _length_delimited(1, b"then_branch") + _length_delimited(6, graph)
        node = _length_delimited(4, b"If") + _length_delimited(5, attribute)
        graph = _length_delimited(1, node)
    data = b"\x08\x07" + _length_delimited(7, graph)
    with pytest.raises(ArtifactError, match="nested deeper"):
        parse_onnx(data)
    assert parse_onnx(b"\x08\x07" + _length_delimited(7, b"")).ir_version == 7


def test_missing_file_and_size_limit(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot read"):
        read_onnx(tmp_path / "absent.onnx")
    path = tmp_path / "m.onnx"
    onnx.save(_detector(), path)
    with pytest.raises(ArtifactError, match="limit"):
        read_onnx(path, max_bytes=10)


def _as_onnx_sees_it(path: Path) -> tuple[object, ...]:
    """The same facts read by the onnx package, for comparison."""
    model = onnx.load(str(path), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}

    def dims(value_info: object) -> tuple[object, ...]:
        shape = value_info.type.tensor_type.shape  # type: ignore[attr-defined]
        return tuple(d.dim_value if d.HasField("dim_value") else d.dim_param or None
                     for d in shape.dim)

    return (
        model.ir_version, model.producer_name, model.producer_version,
        {o.domain: o.version for o in model.opset_import},
        [(i.name, dims(i)) for i in model.graph.input if i.name not in initializers],
        [(o.name, dims(o)) for o in model.graph.output],
    )


def test_model_exported_by_torch_matches_the_onnx_package(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    import warnings

    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU())
    path = tmp_path / "net.onnx"
    with warnings.catch_warnings():  # the TorchScript-based exporter is deprecated, not gone
        warnings.simplefilter("ignore")
        torch.onnx.export(net, torch.zeros(1, 3, 32, 32), str(path), dynamo=False,
                          opset_version=17, input_names=["images"],
                          dynamic_axes={"images": {0: "batch"}})
    got = read_onnx(path)
    expected = _as_onnx_sees_it(path)
    assert (got.ir_version, got.producer_name, got.producer_version, dict(got.opsets),
            [(t.name, t.shape) for t in got.inputs],
            [(t.name, t.shape) for t in got.outputs]) == expected
    assert got.inputs[0].shape == ("batch", 3, 32, 32)


def test_arbitrary_bytes_give_a_result_or_one_line_error() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    valid = _detector().SerializeToString()

    @settings(max_examples=60, deadline=None)
    @given(st.one_of(
        st.binary(max_size=200),
        st.tuples(st.integers(0, len(valid) - 1), st.integers(0, 255)).map(
            lambda edit: valid[: edit[0]] + bytes([edit[1]]) + valid[edit[0] + 1:]),
        st.integers(0, len(valid)).map(lambda cut: valid[:cut]),
    ))
    def check(data: bytes) -> None:
        try:
            parse_onnx(data, name="fuzz.onnx")
        except ArtifactError as e:
            assert "\n" not in str(e) and str(e).startswith("fuzz.onnx: ")

    check()
