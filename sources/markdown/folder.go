package markdown

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// TitleFile is the optional file of a folder document that holds its title
// (front matter "title:" or its first heading) and, below it, the intro.
const TitleFile = "_title.md"

// fetchFolder reads a folder as one document, one section per file, as
// the package documentation describes.
func (s *Source) fetchFolder(ctx context.Context, dir string) (content.Document, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return content.Document{}, s.fileError(dir, err)
	}
	titleFile, files := "", []string(nil)
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() || !isMarkdown(name):
		case strings.EqualFold(name, TitleFile):
			titleFile = name
		case !strings.HasPrefix(name, "_") && !strings.HasPrefix(name, "."):
			files = append(files, name)
		}
	}
	if len(files) == 0 {
		return content.Document{}, fmt.Errorf("read markdown folder %s: %w: it has no .md files; put one Markdown file per section in it, e.g. 01-breathscape.md", dir, sources.ErrNotFound)
	}
	// Files are opened through a Root: a symlink to a file outside the
	// folder is refused rather than followed.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return content.Document{}, s.fileError(dir, err)
	}
	defer root.Close()
	r := &folderReader{dir: dir, root: root, max: s.opts.MaxBytes, left: s.opts.MaxBytes, hash: sha256.New()}
	doc := content.Document{Title: humanize(filepath.Base(dir))}
	if titleFile != "" {
		d, err := r.convert(ctx, titleFile)
		if err != nil {
			return content.Document{}, err
		}
		title, intro := titleAndIntro(d)
		if title != "" {
			doc.Title = title
		}
		doc.Blocks = intro
		doc.Lang, doc.Dir = d.Lang, d.Dir
		doc.Warnings = d.Warnings
	}
	for _, name := range files {
		d, err := r.convert(ctx, name)
		if err != nil {
			return content.Document{}, err
		}
		doc.Blocks = append(doc.Blocks, sectionBlocks(name, d)...)
		doc.Warnings = append(doc.Warnings, d.Warnings...)
	}
	doc.Revision = "sha256:" + hex.EncodeToString(r.hash.Sum(nil))
	return doc, nil
}

// folderReader reads a folder's files within one size budget, hashing
// what it reads.
type folderReader struct {
	dir       string
	root      *os.Root
	max, left int64
	hash      hash.Hash
}

func (r *folderReader) convert(ctx context.Context, name string) (content.Document, error) {
	if err := ctx.Err(); err != nil {
		return content.Document{}, fmt.Errorf("read markdown folder %s: %w", r.dir, err)
	}
	path := filepath.Join(r.dir, name)
	f, err := r.root.Open(name)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			return content.Document{}, fmt.Errorf("read markdown %s: %w: it is a link to a file outside the folder, which is not followed; copy the file into the folder instead", path, sources.ErrInvalid)
		}
		return content.Document{}, fmt.Errorf("read markdown %s: %w", path, err)
	}
	defer f.Close()
	data, err := readLimited(f, r.left)
	if errors.Is(err, sources.ErrInvalid) {
		return content.Document{}, fmt.Errorf("read markdown folder %s: its files together are %w", r.dir, tooLarge(r.max))
	}
	if err != nil {
		return content.Document{}, fmt.Errorf("read markdown %s: %w", path, err)
	}
	r.left -= int64(len(data))
	var n [binary.MaxVarintLen64]byte
	r.hash.Write([]byte(name))
	r.hash.Write(n[:binary.PutUvarint(n[:], uint64(len(data)))])
	r.hash.Write(data)

	d, err := Convert(data)
	if err != nil {
		return content.Document{}, fmt.Errorf("read markdown %s: %w", path, err)
	}
	for i, w := range d.Warnings {
		d.Warnings[i] = name + ": " + w
	}
	return d, nil
}

// titleAndIntro splits the title file into the title and the intro.
func titleAndIntro(d content.Document) (string, []content.Block) {
	title, blocks := d.Title, d.Blocks
	if title == "" && len(blocks) > 0 && blocks[0].Kind == content.KindHeading {
		title = strings.TrimSpace(content.Text(blocks[0].Inlines))
		blocks = blocks[1:]
	}
	return title, nest(blocks)
}

// sectionBlocks is a file's blocks under one second-level heading.
func sectionBlocks(name string, d content.Document) []content.Block {
	blocks := d.Blocks
	top, count := 0, 0
	for _, b := range blocks {
		switch {
		case b.Kind != content.KindHeading:
		case top == 0 || b.Level < top:
			top, count = b.Level, 1
		case b.Level == top:
			count++
		}
	}
	var head content.Block
	switch {
	case count == 1 && blocks[0].Kind == content.KindHeading && blocks[0].Level == top:
		head, blocks = blocks[0], blocks[1:]
	case d.Title != "":
		head = content.Block{Kind: content.KindHeading, Inlines: []content.Inline{{Text: d.Title}}}
	default:
		head = content.Block{Kind: content.KindHeading, Inlines: []content.Inline{{Text: humanize(name)}}}
	}
	head.Level = 2
	return append([]content.Block{head}, nest(blocks)...)
}

// nest shifts headings so the shallowest is level 3, below the sections.
func nest(blocks []content.Block) []content.Block {
	top := 0
	for _, b := range blocks {
		if b.Kind == content.KindHeading && (top == 0 || b.Level < top) {
			top = b.Level
		}
	}
	out := make([]content.Block, len(blocks))
	for i, b := range blocks {
		if b.Kind == content.KindHeading {
			b.Level = min(b.Level-top+3, 6)
		}
		out[i] = b
	}
	return out
}

// humanize turns a file or folder name into a heading: "02-tips_and-tricks.md"
// becomes "Tips and tricks".
func humanize(name string) string {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	words := strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(base))
	if len(words) > 1 && strings.TrimFunc(words[0], unicode.IsDigit) == "" {
		words = words[1:] // an ordering prefix
	}
	s := strings.Join(words, " ")
	if s == "" {
		return base
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".md" || ext == ".markdown"
}
