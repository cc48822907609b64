// Package render is the render stage: it personalizes each piece row for
// variable-data printing (VDP). Print vendors receive a template id and the
// variable data, not one PDF per piece, so the stage does not store the
// rendered creative; it stores, in the piece row, every value the creative
// needs, already filtered and defaulted as the template asks.
//
// # Flow
//
//	front/back template files ──New (parse once)──► *Stage
//	job schema ─────────────────Bind (compile)────► column indexes, template_id/purl/merge_* columns added
//	batch rows ─────────────────Process───────────► rows with template_id, purl, merge_<field> set,
//	                                                 or rejected missing_merge_field:<f> / invalid_merge_field:<f>
//
// Templates are parsed once, in [New] ([mergefield] syntax: {{first_name|title|Friend}},
// {{var_field_2|date:January 2}}, {{purl}}); a syntax error fails New with
// the template's name, line and column. [Stage.Bind] compiles them against
// the job's columns: a field a template requires that the job does not
// carry at all fails the job before any row is read, naming the template,
// line and column. A field used only with a default may be absent: it
// renders its default.
//
// # Columns added
//
//   - template_id: [Config.TemplateID].
//   - purl: the piece's PURL code (mergefield.PURLEncoder over the piece id
//     and the campaign secret), when [Config.PURLSecret] is set. Stable across
//     replays because piece ids are.
//   - merge_<field>: one column per distinct merge expression of the
//     templates (a tag's field with its filters and defaults), in order of
//     first use, front then back. The first expression of a field is
//     merge_<field>; a later expression of the same field with other filters
//     is merge_<field>__2, __3, …. The bare {{purl}} tag needs no column: the
//     purl column holds it. Values are unescaped text; a renderer that puts
//     them into an HTML creative escapes them.
//   - render_front, render_back: the whole rendered template, only with
//     [Config.Rendered] (proofs; HTML templates escape values).
//
// # Rows
//
// A row whose value for a required field is blank is rejected
// missing_merge_field:<field>; a value the date filter cannot read is
// rejected invalid_merge_field:<field>. The reject's detail names the
// template, line and column of the tag.
//
// The stage is stateless and safe for a parallel step: each worker takes a
// scratch buffer and a PURL encoder from a pool. Rendering a row parses
// nothing and allocates nothing per field: values are appended to a scratch
// buffer and copied into the batch's arena.
package render
