/*
 * gui/font.h — monospace text for the window: the printable ASCII glyphs of a
 * TrueType font (SDL2_ttf; DejaVu Sans Mono from Debian's fonts-dejavu-core
 * by default) rendered once into a texture atlas, then drawn by copying
 * rectangles with a colour modulation. One atlas per renderer.
 */
#ifndef GUI_FONT_H
#define GUI_FONT_H

#include <SDL.h>

#define FONT_DEFAULT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

typedef struct font font_t;

/* NULL with a message (missing or unreadable font file, SDL_ttf failure). */
font_t *font_open(SDL_Renderer *ren, const char *path, int ptsize, char *err, size_t errlen);
void font_free(font_t *f);
int font_width(const font_t *f);  /* advance of one character, pixels */
int font_height(const font_t *f); /* line height, pixels */
/* Draw text at (x, y) (top left), at most max_chars characters (-1 all);
 * returns the x after the last character. */
int font_draw(font_t *f, int x, int y, SDL_Color c, const char *text, int max_chars);

#endif
