package fit

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/manifest"
)

// manifestHook records what a report's manifest lists of a Fit when it
// begins: the data's fingerprints and the seeds. Fingerprints hash every
// value, so only when a report is being made (manifest.Enabled).
func (r *runner) manifestHook(train *data.Dataset) hook {
	return hook{name: "manifest",
		begin: func() error {
			if !manifest.Enabled() {
				return nil
			}
			manifest.Record("data", "training data "+train.Name, train.Fingerprint())
			if r.cfg.Val != nil {
				manifest.Record("data", "validation data "+r.cfg.Val.Name, r.cfg.Val.Fingerprint())
			}
			manifest.Record("seed", "fit seed (shuffling, augmentation)", fmt.Sprint(r.cfg.Seed))
			manifest.Record("seed", "model "+r.m.Name+" initialisation seed", fmt.Sprint(r.m.Seed))
			return nil
		},
	}
}
