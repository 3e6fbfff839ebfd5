package gdocs

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
)

func para(text string) *docs.StructuralElement {
	return &docs.StructuralElement{Paragraph: &docs.Paragraph{Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: text + "\n"}}}}}
}

func heading(text string) *docs.StructuralElement {
	el := para(text)
	el.Paragraph.ParagraphStyle = &docs.ParagraphStyle{NamedStyleType: "HEADING_1"}
	return el
}

func cell(rowSpan, colSpan int64, els ...*docs.StructuralElement) *docs.TableCell {
	return &docs.TableCell{Content: els, TableCellStyle: &docs.TableCellStyle{RowSpan: rowSpan, ColumnSpan: colSpan}}
}

func tableEl(rows ...[]*docs.TableCell) *docs.StructuralElement {
	t := &docs.Table{}
	for _, r := range rows {
		t.TableRows = append(t.TableRows, &docs.TableRow{TableCells: r})
	}
	return &docs.StructuralElement{Table: t}
}

func docWith(els ...*docs.StructuralElement) *docs.Document {
	return &docs.Document{Title: "T", Body: &docs.Body{Content: els}}
}

func cellText(cells []content.Cell) []string {
	var out []string
	for _, c := range cells {
		out = append(out, content.Text(c.Inlines))
	}
	return out
}

func TestMergedCellsKeepTheirSpans(t *testing.T) {
	// Docs reports a merged cell's spans on its first cell; the cells it
	// covers are still listed, empty.
	d := convert(context.Background(), docWith(tableEl(
		[]*docs.TableCell{cell(1, 2, para("Week 48")), cell(1, 1), cell(2, 1, para("Notes"))},
		[]*docs.TableCell{cell(1, 1, para("Mon")), cell(1, 1, para("Tue")), cell(1, 1)},
	)), nil)
	if len(d.Blocks) != 1 || d.Blocks[0].Kind != content.KindTable {
		t.Fatalf("blocks %+v", d.Blocks)
	}
	rows := d.Blocks[0].Rows
	want := [][]content.Cell{
		{{Inlines: []content.Inline{{Text: "Week 48"}}, ColSpan: 2}, {Inlines: []content.Inline{}, Merged: true}, {Inlines: []content.Inline{{Text: "Notes"}}, RowSpan: 2}},
		{{Inlines: []content.Inline{{Text: "Mon"}}}, {Inlines: []content.Inline{{Text: "Tue"}}}, {Inlines: []content.Inline{}, Merged: true}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows\n%+v\nwant\n%+v", rows, want)
	}
}

func TestNestedTableFollowsItsTable(t *testing.T) {
	inner := tableEl([]*docs.TableCell{cell(1, 1, para("a")), cell(1, 1, para("b"))})
	d := convert(context.Background(), docWith(tableEl(
		[]*docs.TableCell{cell(1, 1, para("Plan"), inner), cell(1, 1, para("Done"))},
	)), nil)
	if len(d.Blocks) != 2 || d.Blocks[0].Kind != content.KindTable || d.Blocks[1].Kind != content.KindTable {
		t.Fatalf("blocks %+v, want the table and then the nested one", d.Blocks)
	}
	if got := cellText(d.Blocks[0].Rows[0]); !reflect.DeepEqual(got, []string{"Plan\n(table below)", "Done"}) {
		t.Errorf("outer cells %q", got)
	}
	if got := cellText(d.Blocks[1].Rows[0]); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("nested table cells %q, want its own cells", got)
	}
	if !strings.Contains(strings.Join(d.Warnings, "\n"), "a table inside a table cell is shown after its table") {
		t.Errorf("warnings %q", d.Warnings)
	}
}

func TestEmptyTabAddsNoSection(t *testing.T) {
	tab := func(id, title string, els ...*docs.StructuralElement) *docs.Tab {
		return &docs.Tab{TabProperties: &docs.TabProperties{TabId: id, Title: title}, DocumentTab: &docs.DocumentTab{Body: &docs.Body{Content: els}}}
	}
	parent := tab("t.2", "Archive", para("  "))
	parent.ChildTabs = []*docs.Tab{tab("t.3", "Old tips", para("Breathe."))}
	d := convert(context.Background(), &docs.Document{Title: "T", Tabs: []*docs.Tab{
		tab("t.0", "Main", heading("Tips"), para("x")),
		tab("t.1", "Hardware", para(""), para(" \t")),
		parent,
	}}, nil)
	var headings []string
	for _, b := range d.Blocks {
		if b.Kind == content.KindHeading {
			headings = append(headings, content.Text(b.Inlines))
		}
	}
	if want := []string{"Tips", "Archive", "Old tips"}; !reflect.DeepEqual(headings, want) {
		t.Errorf("headings %q, want %q: an empty tab adds none, a tab whose child tab has content does", headings, want)
	}
}

func TestEmptyHeadingIsKeptForParsing(t *testing.T) {
	blank := heading(" ")
	blank.Paragraph.ParagraphStyle.NamedStyleType = "HEADING_2"
	d := convert(context.Background(), docWith(heading("Tips"), para("a"), blank, para("Orphan")), nil)
	p, err := content.Parse(d, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, `("Orphan") joins section "Tips"`) {
		t.Errorf("warnings %q, want the empty heading reported", p.Warnings)
	}
}
