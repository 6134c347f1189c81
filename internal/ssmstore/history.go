package ssmstore

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// MaxVersions is how many versions of a parameter SSM keeps: "Parameter
// Store stores up to 100 versions of a parameter; when you create the
// 101st, the oldest is deleted" (unless it has a label, then the write
// fails).
const MaxVersions = 100

// Version is one version of a parameter, as GetParameterHistory returns it.
// Value is set only when it was read with decryption.
type Version struct {
	Version      int64
	LastModified *time.Time
	// LastModifiedUser is the ARN of the IAM identity that wrote it ("N/A"
	// on moto).
	LastModifiedUser string
	Labels           []string
	Type             types.ParameterType
	Tier             types.ParameterTier
	KeyID            string // KMS key of a SecureString
	Value            string
}

// History returns every version SSM keeps of the parameter name, oldest
// first, with values only when decrypt. A missing parameter is an error
// wrapping ErrNotFound.
func (s *Store) History(ctx context.Context, name string, decrypt bool) ([]Version, error) {
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	pg := ssm.NewGetParameterHistoryPaginator(s.api, &ssm.GetParameterHistoryInput{
		Name: aws.String(name), WithDecryption: aws.Bool(decrypt),
		MaxResults: aws.Int32(50), // SSM's maximum for GetParameterHistory
	})
	var out []Version
	for pg.HasMorePages() {
		page, err := pg.NextPage(cctx)
		var nf *types.ParameterNotFound
		if errors.As(err, &nf) {
			return nil, &Error{Op: "GetParameterHistory", Subject: name, Msg: "not found", Err: ErrNotFound}
		}
		if err != nil {
			return nil, s.fail(ctx, "GetParameterHistory", name, err)
		}
		for _, h := range page.Parameters {
			v := Version{
				Version: h.Version, LastModified: h.LastModifiedDate, LastModifiedUser: aws.ToString(h.LastModifiedUser),
				Labels: h.Labels, Type: h.Type, Tier: h.Tier, KeyID: aws.ToString(h.KeyId),
			}
			if decrypt {
				v.Value = aws.ToString(h.Value)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// GetVersion reads version of the parameter name (GetParameter with the
// selector "name:version"), decrypted when decrypt. A version SSM does not
// keep is an error wrapping ErrNotFound.
func (s *Store) GetVersion(ctx context.Context, name string, version int64, decrypt bool) (Parameter, error) {
	sel := name + ":" + strconv.FormatInt(version, 10)
	cctx, cancel := s.ctx(ctx)
	defer cancel()
	out, err := s.api.GetParameter(cctx, &ssm.GetParameterInput{Name: aws.String(sel), WithDecryption: aws.Bool(decrypt)})
	var nf *types.ParameterNotFound
	var vnf *types.ParameterVersionNotFound
	if errors.As(err, &nf) || errors.As(err, &vnf) {
		return Parameter{}, &Error{Op: "GetParameter", Subject: sel, Msg: "no such version", Err: ErrNotFound}
	}
	if err != nil {
		return Parameter{}, s.fail(ctx, "GetParameter", sel, err)
	}
	return fromParameter(*out.Parameter, decrypt), nil
}

// Digest is the SHA-256 digest of a value.
type Digest [sha256.Size]byte

// Digests returns the SHA-256 digest of the decrypted value of every
// parameter directly under path, by name: values are hashed page by page
// as they arrive and never returned, so that two parameters can be
// compared without holding their plaintext.
func (s *Store) Digests(ctx context.Context, path string) (map[string]Digest, error) {
	digests := map[string]Digest{}
	err := s.byPath(ctx, path, false, true, func(p types.Parameter) {
		digests[aws.ToString(p.Name)] = sha256.Sum256([]byte(aws.ToString(p.Value)))
	})
	if err != nil {
		return nil, err
	}
	return digests, nil
}

// ListTree returns every parameter under path at any depth (recursive),
// without values, sorted by name.
func (s *Store) ListTree(ctx context.Context, path string) ([]Parameter, error) {
	var out []Parameter
	if err := s.byPath(ctx, path, true, false, func(p types.Parameter) { out = append(out, fromParameter(p, false)) }); err != nil {
		return nil, err
	}
	sortByName(out)
	return out, nil
}

func sortByName(ps []Parameter) {
	slices.SortFunc(ps, func(a, b Parameter) int { return strings.Compare(a.Name, b.Name) })
}
