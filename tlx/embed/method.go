package embed

import "fmt"

// Method is a projection to 2-D: MethodPCA, MethodTSNE or MethodUMAP.
//
//	tlx.ShowEmbedding("layer4", m, val, m.FeatureGroup(), embed.MethodUMAP, 1)
type Method int

const (
	MethodPCA  Method = iota + 1 // principal components: linear, no seed
	MethodTSNE                   // exact t-SNE (seeded)
	MethodUMAP                   // UMAP (seeded)
)

// String is "pca", "tsne" or "umap".
func (m Method) String() string {
	switch m {
	case MethodPCA:
		return "pca"
	case MethodTSNE:
		return "tsne"
	case MethodUMAP:
		return "umap"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Project maps the rows of x to 2-D with the method (seed: t-SNE's and
// UMAP's initialisation and sampling).
func (m Method) Project(x *Matrix, seed uint64) (*Matrix, error) {
	switch m {
	case MethodPCA:
		xy, _, err := PCA(x, 2)
		return xy, err
	case MethodTSNE:
		return TSNE(x, TSNEConfig{Seed: seed})
	case MethodUMAP:
		return UMAP(x, UMAPConfig{Seed: seed})
	}
	return nil, fmt.Errorf("projection %v: want embed.MethodPCA, embed.MethodTSNE or embed.MethodUMAP", m)
}
