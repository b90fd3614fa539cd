/* gui/font.c — a glyph atlas built with SDL2_ttf (gui/font.h). */
#include "gui/font.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/fileio.h"

#define FIRST_CHAR 32
#define LAST_CHAR  126
#define NCHARS     (LAST_CHAR - FIRST_CHAR + 1)

struct font {
    SDL_Renderer *ren;
    SDL_Texture *atlas; /* NCHARS cells side by side, white on transparent */
    int w, h;
};

font_t *font_open(SDL_Renderer *ren, const char *path, int ptsize, char *err, size_t errlen)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    char msg[400];
    if (file_check_regular(path, msg, sizeof msg) != 0) { /* TTF_OpenFont blocks on a FIFO */
        snprintf(err, errlen, "font %s (install fonts-dejavu-core or pass --font FILE.ttf)", msg);
        return NULL;
    }
    TTF_Font *ttf = TTF_OpenFont(path, ptsize);
    if (!ttf) {
        snprintf(err, errlen, "font %s: %s (install fonts-dejavu-core or pass --font FILE.ttf)",
                 path, TTF_GetError());
        return NULL;
    }
    if (!TTF_FontFaceIsFixedWidth(ttf)) {
        snprintf(err, errlen, "font %s: not a monospace font", path);
        TTF_CloseFont(ttf);
        return NULL;
    }
    font_t *f = calloc(1, sizeof *f);
    int adv = 0;
    TTF_GlyphMetrics(ttf, 'M', NULL, NULL, NULL, NULL, &adv);
    SDL_Surface *sheet = NULL;
    if (!f || adv <= 0)
        goto fail;
    f->ren = ren;
    f->w = adv;
    /* The cell is as tall as the tallest rendered glyph: at some sizes a
     * glyph's surface (the underscore's row below the descent) is taller
     * than the line skip, and a cell of the line skip would cut it off. */
    SDL_Surface *glyph[NCHARS] = {0};
    SDL_Color white = {255, 255, 255, 255};
    f->h = TTF_FontLineSkip(ttf);
    for (int c = FIRST_CHAR; c <= LAST_CHAR; c++)
        if ((glyph[c - FIRST_CHAR] = TTF_RenderGlyph_Blended(ttf, (Uint16)c, white)) &&
            glyph[c - FIRST_CHAR]->h > f->h)
            f->h = glyph[c - FIRST_CHAR]->h;
    sheet = SDL_CreateRGBSurfaceWithFormat(0, f->w * NCHARS, f->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (sheet)
        SDL_FillRect(sheet, NULL, 0);
    for (int i = 0; i < NCHARS; i++) {
        SDL_Surface *g = glyph[i];
        if (g && sheet) {
            SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_NONE);
            SDL_Rect dst = {i * f->w, 0, g->w < f->w ? g->w : f->w, g->h};
            SDL_Rect src = {0, 0, dst.w, dst.h};
            SDL_BlitSurface(g, &src, sheet, &dst);
        }
        SDL_FreeSurface(g);
    }
    if (!sheet)
        goto fail;
    f->atlas = SDL_CreateTextureFromSurface(ren, sheet);
    if (!f->atlas)
        goto fail;
    SDL_SetTextureBlendMode(f->atlas, SDL_BLENDMODE_BLEND);
    SDL_FreeSurface(sheet);
    TTF_CloseFont(ttf);
    return f;
fail:
    snprintf(err, errlen, "font %s: cannot build the glyph atlas: %s", path, SDL_GetError());
    SDL_FreeSurface(sheet);
    free(f);
    TTF_CloseFont(ttf);
    return NULL;
}

void font_free(font_t *f)
{
    if (!f)
        return;
    SDL_DestroyTexture(f->atlas);
    free(f);
}

int font_width(const font_t *f) { return f->w; }
int font_height(const font_t *f) { return f->h; }

int font_draw(font_t *f, int x, int y, SDL_Color c, const char *text, int max_chars)
{
    SDL_SetTextureColorMod(f->atlas, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(f->atlas, c.a);
    for (int i = 0; text[i] && (max_chars < 0 || i < max_chars); i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch != ' ' && ch >= FIRST_CHAR && ch <= LAST_CHAR) {
            SDL_Rect src = {(ch - FIRST_CHAR) * f->w, 0, f->w, f->h};
            SDL_Rect dst = {x, y, f->w, f->h};
            SDL_RenderCopy(f->ren, f->atlas, &src, &dst);
        }
        x += f->w;
    }
    return x;
}
