// Package fit trains tlx models: an optimizer with per-group learning-rate
// multipliers, schedules, validation metrics, early stopping, interrupts
// and staged fine-tuning plans.
//
//	m.FreezeTo(-1)                                   // head only
//	h, err := fit.Fit(m, train, fit.Config{Epochs: 3, LR: 1e-3, Val: val})
//	h, err = fit.FineTune(m, train, fit.Plan{
//		{Name: "head", TrainLast: 1, Epochs: 3, LR: 1e-3},
//		{Name: "all", Epochs: 3, LR: 1e-3, LRLow: 1e-5, Schedule: fit.OneCycle()}, // rates 1e-5..1e-3 over the groups
//	}, fit.Config{Val: val, Optimizer: fit.AdamW(0.01)})
//	loss, err := h.Series(fit.MetricValLoss)         // an unknown metric name is an error
//
// Options are values, not strings: schedules (Constant, Cosine, OneCycle,
// NewSchedule), optimizers (Adam, AdamW, SGD), penalties and objectives
// (Penalty, Objective: each names itself in a training's key).
//
// # Layout
//
// Fit's loop (loop.go) only runs steps and epochs; what happens around
// them are hooks on the loop (hook.go), each in its own file: the
// manifest (manifest.go), the monitors (monitor.go), early stopping
// (earlystop.go), checkpoints and resuming (checkpoint.go, resume.go) and
// the user's Callbacks (callback.go). Config and its checks are in
// config.go, the training step in step.go and optimizer.go, evaluation in
// exec.go and metrics.go, the feature cache in cache.go, plans and the one
// stage loop behind every FineTune (RunPlan) in plan.go.
//
// When every group before the first trainable one is frozen (with
// BatchNorm there in inference mode) and no augmentation is on, Fit
// computes the frozen prefix's outputs once, keeps them on disk and trains
// the rest on them: see Config.FeatureCache.
//
// # Resume, not restart
//
// With Config.Checkpoint set (runs and tlx.FineTune set it for every
// stage), Fit keeps two files up to date, each written atomically: the
// checkpoint itself (the model's weights, loadable with LoadWeights) and,
// next to it, ResumePath(Checkpoint): every variable of the model's store
// (weights, BatchNorm statistics, Adam's moments and step count or SGD's
// momentum, the graph RNG behind dropout), the shuffling RNG, the epoch's
// example order, the schedule's step, early stopping's best weights and the
// history so far, under a key naming the training (Config.ResumeKey, or a
// hash of the starting weights and data, plus the settings). Fit writes
// them after every epoch, at an interrupt (SIGINT: the notebook's stop
// button) and when training ends.
//
// A Fit whose key matches takes the training up where it was: after a
// crash or a killed process it redoes at most the epoch in progress, after
// an interrupt nothing; it notes (and History.Resumed records) e.g.
// "resumed stage all after epoch 2 of 4 (DIR/checkpoint.resume.safetensors)".
// On the Go backend the resumed run is the uninterrupted one bit for bit:
// same batches, same augmentation, same learning rates, same updates. A
// checkpoint whose training had finished is restored and nothing trains; a
// checkpoint of another training (other weights, data, plan or settings) is
// not resumed but replaced, with a note when it was unfinished. FineTune
// keeps one training-state file per stage (CHECKPOINT.resume-NN.safetensors),
// so a plan run again restores its finished stages and resumes the
// interrupted one; runs (tlx.FineTune) key stages themselves and keep one.
package fit
