// Package space describes neural architecture search spaces and the
// architectures inside them.
//
// An [Arch] is a small immutable value: one operation id per edge (or per
// decision). A [Space] describes what the ids mean: the operation table, the
// edges of the cell and how they are wired, which operations each edge allows,
// and the text form of an architecture. Architectures are comparable values
// and can be used as map keys.
//
// A sub-space is a *Space derived from another with [Space.Restrict]: the same
// edges and operations, fewer allowed operations per edge. Design principles
// compile into sub-spaces. Sampling, mutation, neighbourhoods and enumeration
// all stay inside the (sub-)space, and mutation never loops forever, even when
// every edge allows a single operation.
//
// Built-in spaces: [NB201] (NAS-Bench-201) and [TransNASMicro]
// (TransNAS-Bench-101 micro cells). A user defines a space of their own in a
// few lines with [Define].
package space
