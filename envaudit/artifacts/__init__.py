"""Facts about model files (ONNX, SavedModel, TorchScript, TensorRT, TFLite), no framework."""
