package server

// Quoted-printable encoding (RFC 2045) that can be done in pieces: each
// piece starts on a fresh line and ends with a soft line break, so a
// variant's literal text is encoded once and per-recipient values are
// encoded on their own and spliced in between. Decoding the spliced
// stream gives the concatenated text.
//
// Line breaks follow mime/quotedprintable: CR, LF and CRLF in the text are
// each one hard line break. A '.' that would start a line is encoded too,
// so no line of a body starts with a dot and SMTP's dot-stuffing has
// nothing to do.

// qpLineMax is the longest encoded line, the trailing '=' included.
const qpLineMax = 76

const upperHex = "0123456789ABCDEF"

// qpState carries the encoder's position between pieces.
type qpState struct {
	col int  // characters on the current encoded line
	cr  bool // the last text byte was '\r'
}

// appendQP appends the encoding of s to dst.
func appendQP(dst []byte, s string, st *qpState) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == '\n' || b == '\r' {
			if st.cr && b == '\n' {
				st.cr = false
				continue
			}
			st.cr = b == '\r'
			dst = qpHardBreak(dst, st)
			continue
		}
		st.cr = false
		literal := (b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t'
		if b == '.' && st.col == 0 {
			literal = false
		}
		n := 1
		if !literal {
			n = 3
		}
		if st.col+n > qpLineMax-1 {
			dst = append(dst, '=', '\r', '\n')
			st.col = 0
			if b == '.' {
				literal, n = false, 3
			}
		}
		if literal {
			dst = append(dst, b)
		} else {
			dst = append(dst, '=', upperHex[b>>4], upperHex[b&0x0f])
		}
		st.col += n
	}
	return dst
}

// qpHardBreak ends the line. Whitespace that would end it is encoded, as
// decoders drop trailing whitespace.
func qpHardBreak(dst []byte, st *qpState) []byte {
	if n := len(dst); st.col > 0 && (dst[n-1] == ' ' || dst[n-1] == '\t') {
		b := dst[n-1]
		dst = dst[:n-1]
		st.col--
		if st.col+3 > qpLineMax-1 {
			dst = append(dst, '=', '\r', '\n')
			st.col = 0
		}
		dst = append(dst, '=', upperHex[b>>4], upperHex[b&0x0f])
	}
	st.col = 0
	return append(dst, '\r', '\n')
}

// qpEndPiece ends a piece with a soft line break, so the next starts on a
// fresh line. Whitespace before the '=' is kept by decoders.
func qpEndPiece(dst []byte, st *qpState) []byte {
	if st.col > 0 {
		dst = append(dst, '=', '\r', '\n')
		st.col = 0
	}
	return dst
}

// qpPiece is literal text encoded once.
type qpPiece struct {
	enc []byte
	// afterCR is the encoding when the text before ended with '\r' and
	// this piece starts with '\n' (one hard break, not two).
	afterCR []byte
	startLF bool
	endCR   bool
	empty   bool
}

func newQPPiece(s string) qpPiece {
	p := qpPiece{empty: s == ""}
	if p.empty {
		return p
	}
	st := qpState{}
	p.enc = qpEndPiece(appendQP(nil, s, &st), &st)
	p.endCR = st.cr
	if s[0] == '\n' {
		p.startLF = true
		st = qpState{}
		p.afterCR = qpEndPiece(appendQP(nil, s[1:], &st), &st)
	}
	return p
}

// appendPiece appends p after text that left st.
func appendPiece(dst []byte, p *qpPiece, st *qpState) []byte {
	if p.empty {
		return dst
	}
	if st.cr && p.startLF {
		dst = append(dst, p.afterCR...)
	} else {
		dst = append(dst, p.enc...)
	}
	st.cr, st.col = p.endCR, 0
	return dst
}
