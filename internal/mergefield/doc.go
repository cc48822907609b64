// Package mergefield is the merge-field template engine of the render stage:
// it turns a mail piece's creative (HTML or text, front or back) plus one
// row's merge fields into the personalized bytes sent to the printer, and it
// makes the personalized URL (PURL) codes printed on each piece.
//
// # Flow
//
//	template bytes ──Parse──► *Template ──Compile(resolve)──► *Program
//	                          (Fields: what rows must carry)     │
//	row fields [][]byte ─────────────────────────────────────────┴─Append─► dst []byte, Problem
//
// A template is parsed once, when the campaign is loaded. Syntax errors come
// back then, as a *SyntaxError with the template name, line and column, so a
// bad creative fails the job before any row is read. [Template.Fields] lists
// the fields the template uses and whether a row may lack them.
//
// [Compile] binds field names to column indexes through a resolver the caller
// supplies (for example [NameIndex] over the input's header), so rendering a
// row indexes a slice: no map look-ups, no parsing and no allocation per row
// or per field once dst has grown. Append appends to dst and returns it, like
// strconv.AppendInt; the caller owns dst and the row's field slices, and
// Append retains neither.
//
// A row-level problem (a required field that is missing or blank, a value the
// date filter cannot read) is returned as a [Problem], never an error: the
// stage rejects that row with the reason Problem names
// (missing_merge_field:<field> or invalid_merge_field:<field>) and goes on.
//
// Templates and Programs are immutable and safe for concurrent use. A
// [PURLEncoder] holds reusable HMAC state and is not: use one per worker.
//
// # Template language
//
// A template is literal text with tags. Everything outside a tag is copied
// as is; a lone "}}" outside a tag is literal text (CSS is full of them).
//
//	Hi {{first_name|title|Friend}}, your code is {{ var_field_1 | upper }}.
//	Offer ends {{var_field_2|date:Monday, January 2}}. Visit {{purl}}.
//
// Grammar (spaces and tabs are allowed where the grammar shows a space;
// a tag may not span lines):
//
//	tag      = "{{" field { "|" segment } "}}"
//	field    = 1*( "a"-"z" | "0"-"9" | "_" )
//	segment  = filter | default
//	filter   = ident [ ":" arg ]        ident = "a"-"z" *( "a"-"z" | "0"-"9" | "_" )
//	default  = arg                      any segment that is not a filter
//	arg      = text up to the next unescaped "|" or "}}", trimmed of
//	           spaces; "\|", "\{", "\}", "\\" and "\ " stand for the
//	           character after the backslash, and "{{" is not allowed
//
// A segment is a filter exactly when it is a lowercase identifier, alone or
// followed (after optional spaces) by ":". Such a segment must name a known filter or the template
// fails to parse with "unknown filter". Every other segment ("Friend",
// "Valued Customer", "n/a", "0") is default text. To default to text that
// looks like a filter, write it explicitly: {{first_name|default:friend}}.
//
// Filters, applied left to right to the field's value:
//
//	upper           upper case, rune by rune (Unicode; ß stays ß)
//	lower           lower case, rune by rune (Unicode)
//	title           first letter of each word upper, the rest lower; words
//	                start after spaces, punctuation and hyphens, and after an
//	                apostrophe that follows a one-letter word (o'brien →
//	                O'Brien, but it's → It's)
//	trim            remove leading and trailing spaces, tabs, CR and LF
//	date:LAYOUT     read the value as an ISO date (2006-01-02) or an RFC 3339
//	                time (2006-01-02T15:04:05Z07:00) and format it with the Go
//	                time layout LAYOUT; any other non-blank value is a row
//	                problem (invalid_merge_field). A blank value passes through.
//	                A time keeps its own offset's wall clock. A layout that
//	                formats nothing (date:YYYY-MM-DD) fails to parse.
//	default:TEXT    if the value is blank, replace it with TEXT; "default:"
//	                with no text makes the field optional (renders empty)
//
// A value is blank when it is empty or holds only spaces, tabs, CR or LF.
// Filters other than default leave a blank value blank. If the field's value
// is blank and the tag has no default, the row has a Problem
// (missing_merge_field:<field>). A field used both with and without a
// default is required.
//
// Defaults are values, not markup: they go through the filters after them
// and are escaped like a row's value. {{first_name|Friend|upper}} renders
// FRIEND for a blank name; {{first_name|upper|Friend}} renders Friend.
//
// Escape: "{{{{" in literal text renders a literal "{{" (scanning left to
// right, so "{{{{{{x}}" is a literal "{{" then the tag {{x}}). Nothing else
// is special outside tags. Tags do not nest: "{{" inside a tag is a syntax
// error, and so is "{" where a field name belongs, so "{{{x}}}" is rejected
// with a hint rather than guessed at. A single "{" or "}" may appear in an
// arg; "\{" and "\}" are there for args that need two in a row.
//
// Field values are never parsed: a value containing "{{" renders as is.
//
// # PURL
//
// The tag {{purl}} (see [PURLField]) is an ordinary field whose value the
// caller supplies, usually the code from [PURLEncoder.Append] or a URL built
// from it.
//
// # HTML and text
//
// A template's [Kind] comes from its name: .html and .htm are [HTML], all
// else [Text] (or pass one to [ParseKind]). In HTML templates every rendered
// value, defaults included, is escaped for HTML text and quoted attribute
// values (& < > " ' become &amp; &lt; &gt; &#34; &#39;), so a name like
// "<script>" or "AT&T" is printed, not interpreted. Literal template text is
// never escaped. Escaping does not make a value safe in an unquoted
// attribute, inside <script> or <style>, or as a whole href (a value of
// "javascript:..." stays one): put merge fields in text and quoted attributes
// only. Text templates render values verbatim.
//
// # Positions
//
// Lines and columns in errors are 1-based; columns count bytes, as Go's own
// tools do.
package mergefield
