package onnxexport

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapeinference"
)

// unary records a one-input ONNX operator with x's shape.
func (f *function) unary(op compute.OpType, onnxOp string, x compute.Value, attrs ...*protos.AttributeProto) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.UnaryOp(op, v[0].shape)
	if err != nil {
		return nil, err
	}
	return f.r.op(s, onnxOp, v, attrs...), nil
}

// binary records a two-input ONNX operator (numpy broadcasting is a
// superset of GoMLX's).
func (f *function) binary(op compute.OpType, onnxOp string, lhs, rhs compute.Value, attrs ...*protos.AttributeProto) (compute.Value, error) {
	v, err := f.vals(lhs, rhs)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.BinaryOp(op, v[0].shape, v[1].shape)
	if err != nil {
		return nil, err
	}
	return f.r.op(s, onnxOp, v, attrs...), nil
}

// compare records a comparison (boolean result).
func (f *function) compare(op compute.OpType, onnxOp string, lhs, rhs compute.Value) (*value, error) {
	v, err := f.vals(lhs, rhs)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.ComparisonOp(op, v[0].shape, v[1].shape)
	if err != nil {
		return nil, err
	}
	return f.r.op(s, onnxOp, v), nil
}

func (f *function) Abs(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeAbs, "Abs", x)
}
func (f *function) Neg(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeNeg, "Neg", x)
}
func (f *function) Exp(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeExp, "Exp", x)
}
func (f *function) Log(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeLog, "Log", x)
}
func (f *function) Sqrt(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeSqrt, "Sqrt", x)
}
func (f *function) Tanh(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeTanh, "Tanh", x)
}
func (f *function) Logistic(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeLogistic, "Sigmoid", x)
}
func (f *function) Floor(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeFloor, "Floor", x)
}
func (f *function) Ceil(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeCeil, "Ceil", x)
}

// Round rounds half to even in both GoMLX and ONNX.
func (f *function) Round(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeRound, "Round", x)
}
func (f *function) Sign(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeSign, "Sign", x)
}
func (f *function) Erf(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeErf, "Erf", x)
}
func (f *function) Cos(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeCos, "Cos", x)
}
func (f *function) Sin(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeSin, "Sin", x)
}
func (f *function) IsNaN(x compute.Value) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	return f.r.op(withDType(v[0].shape, dtypes.Bool), "IsNaN", v), nil
}
func (f *function) LogicalNot(x compute.Value) (compute.Value, error) {
	return f.unary(compute.OpTypeLogicalNot, "Not", x)
}

// Rsqrt is 1/sqrt(x).
func (f *function) Rsqrt(x compute.Value) (compute.Value, error) {
	s, err := f.unary(compute.OpTypeRsqrt, "Sqrt", x)
	if err != nil {
		return nil, err
	}
	v := s.(*value)
	return f.r.op(v.shape, "Reciprocal", []*value{v}), nil
}

// Log1p is log(1 + x) and Expm1 exp(x) - 1 (ONNX has neither; float32
// loses their precision near 0, which inference graphs do not rely on).
func (f *function) Log1p(x compute.Value) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	one, err := f.r.scalar(v[0].shape.DType, 1)
	if err != nil {
		return nil, err
	}
	sum := f.r.op(v[0].shape, "Add", []*value{v[0], one})
	return f.r.op(v[0].shape, "Log", []*value{sum}), nil
}

func (f *function) Expm1(x compute.Value) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	one, err := f.r.scalar(v[0].shape.DType, 1)
	if err != nil {
		return nil, err
	}
	e := f.r.op(v[0].shape, "Exp", v)
	return f.r.op(v[0].shape, "Sub", []*value{e, one}), nil
}

// IsFinite is neither NaN nor ±Inf.
func (f *function) IsFinite(x compute.Value) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	s := withDType(v[0].shape, dtypes.Bool)
	bad := f.r.op(s, "Or", []*value{f.r.op(s, "IsNaN", v), f.r.op(s, "IsInf", v)})
	return f.r.op(s, "Not", []*value{bad}), nil
}

func (f *function) ConvertDType(x compute.Value, dtype dtypes.DType) (compute.Value, error) {
	v, err := f.vals(x)
	if err != nil {
		return nil, err
	}
	to := onnxDType(dtype)
	if to == protos.TensorProto_UNDEFINED {
		return nil, fmt.Errorf("ONNX export: conversion to dtype %s", dtype)
	}
	return f.r.op(withDType(v[0].shape, dtype), "Cast", v, attrInt("to", int(to))), nil
}

func (f *function) Add(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeAdd, "Add", l, r)
}
func (f *function) Sub(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeSub, "Sub", l, r)
}
func (f *function) Mul(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeMul, "Mul", l, r)
}
func (f *function) Div(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeDiv, "Div", l, r)
}
func (f *function) Pow(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypePow, "Pow", l, r)
}
func (f *function) Max(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeMax, "Max", l, r)
}
func (f *function) Min(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeMin, "Min", l, r)
}

// Rem is the remainder with the dividend's sign (C's fmod): ONNX Mod fmod=1.
func (f *function) Rem(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeRem, "Mod", l, r, attrInt("fmod", 1))
}
func (f *function) LogicalAnd(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeLogicalAnd, "And", l, r)
}
func (f *function) LogicalOr(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeLogicalOr, "Or", l, r)
}
func (f *function) LogicalXor(l, r compute.Value) (compute.Value, error) {
	return f.binary(compute.OpTypeLogicalXor, "Xor", l, r)
}

func (f *function) Equal(l, r compute.Value) (compute.Value, error) {
	return f.compare(compute.OpTypeEqual, "Equal", l, r)
}
func (f *function) NotEqual(l, r compute.Value) (compute.Value, error) {
	eq, err := f.compare(compute.OpTypeNotEqual, "Equal", l, r)
	if err != nil {
		return nil, err
	}
	return f.r.op(eq.shape, "Not", []*value{eq}), nil
}
func (f *function) GreaterThan(l, r compute.Value) (compute.Value, error) {
	return f.compare(compute.OpTypeGreaterThan, "Greater", l, r)
}
func (f *function) GreaterOrEqual(l, r compute.Value) (compute.Value, error) {
	return f.compare(compute.OpTypeGreaterOrEqual, "GreaterOrEqual", l, r)
}
func (f *function) LessThan(l, r compute.Value) (compute.Value, error) {
	return f.compare(compute.OpTypeLessThan, "Less", l, r)
}
func (f *function) LessOrEqual(l, r compute.Value) (compute.Value, error) {
	return f.compare(compute.OpTypeLessOrEqual, "LessOrEqual", l, r)
}

func (f *function) Where(cond, onTrue, onFalse compute.Value) (compute.Value, error) {
	v, err := f.vals(cond, onTrue, onFalse)
	if err != nil {
		return nil, err
	}
	s, err := shapeinference.Where(v[0].shape, v[1].shape, v[2].shape)
	if err != nil {
		return nil, err
	}
	return f.r.op(s, "Where", v), nil
}

// Clamp is min(max(x, lo), hi), with x's shape.
func (f *function) Clamp(lo, x, hi compute.Value) (compute.Value, error) {
	v, err := f.vals(lo, x, hi)
	if err != nil {
		return nil, err
	}
	s := v[1].shape
	if v[0].shape.Rank() == 0 && v[2].shape.Rank() == 0 {
		return f.r.op(s, "Clip", []*value{v[1], v[0], v[2]}), nil
	}
	low := f.r.op(s, "Max", []*value{v[1], v[0]})
	return f.r.op(s, "Min", []*value{low, v[2]}), nil
}
