// Package tlx is transfer learning for Go notebooks: load a pretrained
// model, replace its head, freeze and unfreeze its layer groups, fine-tune
// with validation, and see the curves — in one or two cells of a
// "Go (tlx)" notebook.
//
//	m, err := tlx.Pretrained("resnet18w8-fmnist04")    // offline zoo: trains once, then cached
//	m.ReplaceHead(5)
//	tlx.Show(m.Summary())                               // groups, params, frozen/trainable, LR×, BatchNorm
//	h, err := tlx.FineTune("fmnist59", m, train, fit.Plan{
//		{Name: "head", TrainLast: 1, Epochs: 4, LR: 3e-3},                          // feature cache: backbone runs once
//		{Name: "top", Train: []string{"layer4", "head"}, Epochs: 2, LR: 1e-3, LRLow: 2e-4},
//		{Name: "all", Epochs: 2, LR: 1e-3, LRLow: 1e-5, Schedule: fit.OneCycle()},   // geometric LRs over groups
//	}, fit.Config{Val: val})
//	tlx.ShowCurves("fine-tuning", h)
//
// Each one-liner is built from packages a user can call alone:
//
//   - engine: backends (Go by default; GOMLX_BACKEND chooses, with fallback)
//   - nn: layers (im2col convolution, pooling, BatchNorm with explicit mode)
//   - net: Model of named layer groups; Freeze/Unfreeze/FreezeTo, LR
//     multipliers, Summary, safetensors weights
//   - arch: MLP, CNN, ResNet, MobileNetV2
//   - data: datasets (Fashion-MNIST, MNIST, digits, image folders, CSV),
//     splits, few-shot subsets, transforms
//   - fit: Fit, FineTune plans, schedules, LRFind, metrics, feature cache
//   - runs: named runs on disk that restore finished stages
//   - zoo: offline pretrained models with model cards
//   - onnxnet, tfjs, hub: pretrained models from ONNX files, TF.js layers
//     models and the Hugging Face hub (tlx.Load opens any of them, and
//     torchvision/timm safetensors)
//   - adapt, retain, probe, study: domain adaptation (AdaBN, CORAL loss,
//     DANN, pseudo-labels), fine-tuning without forgetting (L2-SP, EWC,
//     LwF), probes of representations (k-means NMI/ARI, kNN) and
//     comparisons (few-shot curves, backbone tables, overfitting diagnosis)
//
// A notebook cell is a new process: values do not survive between cells,
// files do. Runs, the feature cache and the zoo keep everything expensive
// on disk (see the runs and zoo packages for where).
package tlx

// Version is the tlx release.
const Version = "0.1.0-dev"
