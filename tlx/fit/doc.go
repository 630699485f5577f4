// Package fit trains tlx models: an optimizer with per-group learning-rate
// multipliers, schedules, validation metrics, early stopping, interrupts
// and staged fine-tuning plans.
//
//	m.FreezeTo(-1)                                   // head only
//	h, err := fit.Fit(m, train, fit.Config{Epochs: 3, LR: 1e-3, Val: val})
//	m.Unfreeze()
//	m.SetLRMults(fit.LRMults(1e-5, 1e-3, len(m.Groups)))
//	h2, err := fit.Fit(m, train, fit.Config{Epochs: 3, LR: 1e-3, Schedule: fit.OneCycle(), Val: val})
//
// When every group before the first trainable one is frozen (with
// BatchNorm there in inference mode) and no augmentation is on, Fit
// computes the frozen prefix's outputs once, keeps them on disk and trains
// the rest on them: see Config.FeatureCache.
package fit
