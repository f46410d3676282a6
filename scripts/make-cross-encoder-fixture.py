#!/usr/bin/python3
"""Builds the tiny cross-encoder test fixture (no pretrained cross-encoder can reach these
machines): the shared random-weight tiny BERT with a sequence-classification head — logits =
last_hidden_state[:, 0, :] @ W + b — like BertForSequenceClassification without the pooler.
W and b are written to head.json so tests can recompute the scores independently.
Usage: /usr/bin/python3 scripts/make-cross-encoder-fixture.py ../shared/models test/fixtures/models
(needs Debian's python3-onnx and python3-numpy)."""
import json, os, shutil, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

src_root, dst_root = sys.argv[1], sys.argv[2]
src = os.path.join(src_root, 'semantic-notes-test', 'tiny-bert')
dst = os.path.join(dst_root, 'semantic-notes-test', 'tiny-cross-encoder')
os.makedirs(os.path.join(dst, 'onnx'), exist_ok=True)
for f in ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']:
    shutil.copy(os.path.join(src, f), os.path.join(dst, f))
config = json.load(open(os.path.join(src, 'config.json')))
config['architectures'] = ['BertForSequenceClassification']
config['num_labels'] = 1
config['id2label'] = {'0': 'LABEL_0'}
config['label2id'] = {'LABEL_0': 0}
json.dump(config, open(os.path.join(dst, 'config.json'), 'w'), indent=2)

model = onnx.load(os.path.join(src, 'onnx', 'model.onnx'))
g = model.graph
hidden = g.output[0].name
rng = np.random.default_rng(7)
w = rng.normal(0, 1.0, size=(config['hidden_size'], 1)).astype(np.float32)
b = np.array([0.25], dtype=np.float32)
g.initializer.extend([
    numpy_helper.from_array(np.array(0, dtype=np.int64), 'cls_index'),
    numpy_helper.from_array(w, 'classifier_w'),
    numpy_helper.from_array(b, 'classifier_b'),
])
g.node.extend([
    helper.make_node('Gather', [hidden, 'cls_index'], ['cls_vec'], axis=1),
    helper.make_node('MatMul', ['cls_vec', 'classifier_w'], ['cls_mm']),
    helper.make_node('Add', ['cls_mm', 'classifier_b'], ['logits']),
])
del g.output[:]
g.output.extend([helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch_size', 1])])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(dst, 'onnx', 'model.onnx'))
json.dump({'w': w[:, 0].tolist(), 'b': float(b[0])}, open(os.path.join(dst, 'head.json'), 'w'))
print('wrote', dst)
