/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "recur-series-private.h"

G_DEFINE_QUARK (recur-csv-error-quark, recur_csv_error)

#define RECUR_CSV_CHUNK_SIZE  (64 * 1024)
/* The delimiter is chosen from the first lines; they wait in memory until then. */
#define RECUR_CSV_SNIFF_LINES 20
#define RECUR_CSV_SNIFF_BYTES (64 * 1024)

/* ------------------------------------------------------------------------------------------ */
/* Reading: physical lines → libcsv records → rows                                            */
/* ------------------------------------------------------------------------------------------ */

/* A line kept while the delimiter is not yet known. */
typedef struct
{
  guint number;
  gsize length;
  char  text[];
} RecurCsvLine;

typedef struct
{
  guint      line;         /* where the record starts */
  GPtrArray *fields;       /* char *, surrounding whitespace trimmed */
  GArray    *field_lines;  /* guint: where each field starts; quoted fields may span lines */
} RecurCsvRecord;

static RecurCsvRecord *
recur_csv_record_new (void)
{
  RecurCsvRecord *self = g_new0 (RecurCsvRecord, 1);

  self->fields = g_ptr_array_new_with_free_func (g_free);
  self->field_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  return self;
}

static void
recur_csv_record_free (RecurCsvRecord *self)
{
  g_ptr_array_unref (self->fields);
  g_array_unref (self->field_lines);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurCsvRecord, recur_csv_record_free)

static const char *
recur_csv_record_field (const RecurCsvRecord *self,
                        guint                 j)
{
  return g_ptr_array_index (self->fields, j);
}

static guint
recur_csv_record_field_line (const RecurCsvRecord *self,
                             guint                 j)
{
  return g_array_index (self->field_lines, guint, j);
}

/* Everything one load needs; there is no state outside it, so loads may run concurrently. */
typedef struct
{
  char              *display_name;     /* the path as shown in messages */
  RecurSeries       *series;
  GError            *error;            /* the first error; from then on nothing is parsed */

  /* Physical lines */
  guint              line;             /* lines seen so far */
  GByteArray        *partial;          /* the start of a line cut by the end of a chunk */
  gboolean           after_cr;         /* a LF now would be the second half of a CRLF */

  /* Delimiter detection, then libcsv */
  GPtrArray         *sniffed;          /* RecurCsvLine */
  gsize              sniffed_bytes;
  gboolean           parsing;
  char               delimiter;
  struct csv_parser  parser;
  guint              feed_line;        /* the line libcsv is reading */

  /* The record libcsv is assembling */
  gboolean           in_record;
  guint              next_field_line;
  RecurCsvRecord    *record;
  gsize              record_bytes;     /* its fields' bytes so far */
  guint              n_fields;         /* of the first record; 0 before it */

  /* Header detection: records wait in pending until it is decided */
  gboolean           header_decided;
  GPtrArray         *pending;          /* RecurCsvRecord */
  gboolean          *header_open;      /* per column: text in the first record, nothing below yet */
  guint              n_header_open;

  /* The time column's previous value, to check the order */
  GString           *previous_time;
  guint              previous_time_line;
} RecurCsvReader;

static RecurCsvReader *
recur_csv_reader_new (const char *path,
                      const char *display_name)
{
  RecurCsvReader *self = g_new0 (RecurCsvReader, 1);

  self->display_name = g_strdup (display_name);
  self->series = recur_series_new (path);
  self->partial = g_byte_array_new ();
  self->sniffed = g_ptr_array_new_with_free_func (g_free);
  self->record = recur_csv_record_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) recur_csv_record_free);
  self->previous_time = g_string_new (NULL);
  return self;
}

static void
recur_csv_reader_free (RecurCsvReader *self)
{
  if (self->parsing)
    csv_free (&self->parser);
  g_clear_pointer (&self->series, recur_series_unref);
  g_clear_error (&self->error);
  g_byte_array_unref (self->partial);
  g_ptr_array_unref (self->sniffed);
  recur_csv_record_free (self->record);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->header_open);
  g_string_free (self->previous_time, TRUE);
  g_free (self->display_name);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurCsvReader, recur_csv_reader_free)

G_GNUC_PRINTF (3, 4)
static void
recur_csv_reader_fail (RecurCsvReader *self,
                       RecurCsvError   code,
                       const char     *format,
                       ...)
{
  va_list args;

  if (self->error != NULL)
    return;
  va_start (args, format);
  self->error = g_error_new_valist (RECUR_CSV_ERROR, code, format, args);
  va_end (args);
}

/* A column's name for a message, even before the header is decided: then a text field of the
 * first record is most likely the name. */
static char *
recur_csv_reader_column_name (const RecurCsvReader *self,
                              guint                 j)
{
  const RecurCsvRecord *first;

  if (self->series->columns != NULL && j < self->series->n_columns)
    return g_strdup (self->series->columns[j].name);
  if (self->pending != NULL && self->pending->len > 0)
    {
      first = g_ptr_array_index (self->pending, 0);
      if (j < first->fields->len
          && recur_classify_value (recur_csv_record_field (first, j), self->delimiter)
             == RECUR_VALUE_TEXT)
        return g_strdup (recur_csv_record_field (first, j));
    }
  return g_strdup_printf ("column%u", j + 1);
}

/* A field, line or row past the limits (column 0: a line, before its fields are known). */
static void
recur_csv_reader_fail_too_long (RecurCsvReader *self,
                                guint           line,
                                guint           column)
{
  g_autofree char *name = NULL;

  if (column > RECUR_CSV_MAX_COLUMNS)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_TOO_LONG,
                           _("%s:%u: the row has more than %u columns, the most Recur reads"),
                           self->display_name, line, RECUR_CSV_MAX_COLUMNS);
  else if (column == 0 || self->record_bytes > RECUR_CSV_MAX_ROW_BYTES)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_TOO_LONG,
                           _("%s:%u: the row is longer than %u MiB, the most Recur reads"),
                           self->display_name, line, RECUR_CSV_MAX_ROW_BYTES >> 20);
  else
    {
      name = recur_csv_reader_column_name (self, column - 1);
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_TOO_LONG,
                             _("%s:%u:%u: column “%s”: the field is longer than %u MiB, the "
                               "most Recur reads"),
                             self->display_name, line, column, name,
                             RECUR_CSV_MAX_FIELD_BYTES >> 20);
    }
}

/* The rows so far hold all the memory there is; the row on `line` could not be kept. */
static void
recur_csv_reader_fail_memory (RecurCsvReader *self,
                              guint           line,
                              guint           rows_read)
{
  const RecurSeries *series = self->series;
  guint64 per_row = sizeof (guint) + (series->time_column >= 0 ? sizeof (gint64) : 0);
  g_autofree char *size = NULL;

  for (guint j = 0; j < series->n_columns; j++)
    per_row += series->columns[j].type == RECUR_COLUMN_NUMERIC ? sizeof (double) : 0;
  size = g_format_size_full (per_row * rows_read, G_FORMAT_SIZE_IEC_UNITS);
  recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_MEMORY,
                         _("%s:%u: not enough memory to read more rows: the %u rows above take "
                           "%s, and the file goes on"),
                         self->display_name, line, rows_read, size);
}

/* --- Columns and values ------------------------------------------------------------------- */

static void
recur_series_init_columns (RecurSeries          *self,
                           guint                 n_columns,
                           const RecurCsvRecord *header)
{
  self->n_columns = n_columns;
  self->columns = g_new0 (RecurColumn, n_columns);
  for (guint j = 0; j < n_columns; j++)
    {
      const char *name = header != NULL ? recur_csv_record_field (header, j) : "";
      RecurColumn *column = &self->columns[j];

      column->name = *name != '\0' ? g_strdup (name) : g_strdup_printf ("column%u", j + 1);
      /* Numeric until a value says otherwise: a column of only missing values stays so. */
      column->type = RECUR_COLUMN_NUMERIC;
    }
}

static void
recur_csv_reader_fail_missing_date (RecurCsvReader *self,
                                    guint           j,
                                    guint           line)
{
  recur_csv_reader_fail (self, RECUR_CSV_ERROR_BAD_DATE,
                         _("%s:%u:%u: column “%s”: the date is missing; every row needs one"),
                         self->display_name, line, j + 1, self->series->columns[j].name);
}

/* The first value that is not missing decides a column's type. */
static void
recur_csv_reader_decide_column (RecurCsvReader *self,
                                guint           j,
                                const char     *text,
                                guint           line)
{
  RecurSeries *series = self->series;
  RecurColumn *column = &series->columns[j];
  RecurValueKind kind = recur_classify_value (text, self->delimiter);

  column->decided = TRUE;
  if (kind == RECUR_VALUE_NUMBER || kind == RECUR_VALUE_NOT_FINITE)
    return;
  recur_vec_clear (&column->values);
  /* Only the first date column is the time axis; later ones are labels like text. */
  if (kind != RECUR_VALUE_DATE || series->time_column >= 0)
    {
      column->type = RECUR_COLUMN_TEXT;
      column->first_text = g_utf8_make_valid (text, MIN (strlen (text), 40));
      column->first_text_line = line;
      return;
    }
  column->type = RECUR_COLUMN_TIME;
  series->time_column = (int) j;
  /* The rows above had no date: the first of them is the culprit. */
  if (column->n_missing > 0)
    recur_csv_reader_fail_missing_date (self, j, RECUR_VEC_INDEX (series->lines, guint, 0));
}

static void
recur_csv_reader_take_number (RecurCsvReader *self,
                              guint           j,
                              const char     *text,
                              gboolean        missing,
                              guint           line)
{
  RecurColumn *column = &self->series->columns[j];
  double value = NAN;

  switch (missing ? RECUR_VALUE_MISSING : recur_parse_number (text, self->delimiter, &value))
    {
    case RECUR_VALUE_MISSING:
    case RECUR_VALUE_NUMBER:
      if (!recur_vec_append (&column->values, sizeof value, &value))
        recur_csv_reader_fail_memory (self, line, self->series->n_rows - 1);
      break;
    case RECUR_VALUE_NOT_FINITE:
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NOT_FINITE,
                             _("%s:%u:%u: column “%s”: “%s” is not a finite number"),
                             self->display_name, line, j + 1, column->name, text);
      break;
    case RECUR_VALUE_DATE:
    case RECUR_VALUE_TEXT:
    default:
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NOT_A_NUMBER,
                             _("%s:%u:%u: column “%s”: “%s” is not a number"),
                             self->display_name, line, j + 1, column->name, text);
      break;
    }
}

static void
recur_csv_reader_take_time (RecurCsvReader *self,
                            guint           j,
                            const char     *text,
                            gboolean        missing,
                            guint           line)
{
  RecurSeries *series = self->series;
  const char *name = series->columns[j].name;
  gint64 t;
  gboolean has_time;

  if (missing)
    {
      recur_csv_reader_fail_missing_date (self, j, line);
      return;
    }
  if (recur_parse_timestamp (text, &t, &has_time) != RECUR_DATE_VALID)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_BAD_DATE,
                             _("%s:%u:%u: column “%s”: “%s” is not a valid ISO 8601 date or time "
                               "(YYYY-MM-DD, YYYY-MM or YYYY-MM-DDTHH:MM:SS)"),
                             self->display_name, line, j + 1, name, text);
      return;
    }
  if (series->timestamps.len > 0
      && t <= RECUR_VEC_INDEX (series->timestamps, gint64, series->timestamps.len - 1))
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_DATE_ORDER,
                             _("%s:%u:%u: column “%s”: “%s” does not come after “%s” on line %u; "
                               "rows must be in time order, each time once"),
                             self->display_name, line, j + 1, name, text,
                             self->previous_time->str, self->previous_time_line);
      return;
    }
  if (!recur_vec_append (&series->timestamps, sizeof t, &t))
    {
      recur_csv_reader_fail_memory (self, line, series->n_rows - 1);
      return;
    }
  series->has_time_of_day |= has_time;
  /* after the date's ten characters and the time's separator: Z, + or - is a UTC offset */
  series->has_utc_offset |= has_time && strlen (text) > 11 && strpbrk (text + 11, "Zz+-");
  g_string_assign (self->previous_time, text);
  self->previous_time_line = line;
}

static void
recur_csv_reader_take_value (RecurCsvReader *self,
                             guint           j,
                             const char     *text,
                             guint           line)
{
  RecurColumn *column = &self->series->columns[j];
  gboolean missing = recur_value_is_missing (text);

  if (missing)
    column->n_missing++;
  if (!column->decided && !missing)
    recur_csv_reader_decide_column (self, j, text, line);
  if (self->error != NULL)
    return;

  switch (column->type)
    {
    case RECUR_COLUMN_NUMERIC:
      recur_csv_reader_take_number (self, j, text, missing, line);
      break;
    case RECUR_COLUMN_TIME:
      recur_csv_reader_take_time (self, j, text, missing, line);
      break;
    case RECUR_COLUMN_TEXT:
    default:
      break;   /* kept out of forecasting, so nothing is stored */
    }
}

static void
recur_csv_reader_take_row (RecurCsvReader       *self,
                           const RecurCsvRecord *record)
{
  RecurSeries *series = self->series;

  if (series->n_rows == G_MAXUINT - 1 || !recur_vec_append (&series->lines, sizeof (guint),
                                                             &record->line))
    {
      recur_csv_reader_fail_memory (self, record->line, series->n_rows);
      return;
    }
  series->n_rows++;
  for (guint j = 0; j < series->n_columns && self->error == NULL; j++)
    recur_csv_reader_take_value (self, j, recur_csv_record_field (record, j),
                                 recur_csv_record_field_line (record, j));
}

/* --- Header detection --------------------------------------------------------------------- */

static void
recur_csv_reader_decide_header (RecurCsvReader *self,
                                gboolean        has_header)
{
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);
  const RecurCsvRecord *first = pending->len > 0 ? g_ptr_array_index (pending, 0) : NULL;

  self->header_decided = TRUE;
  recur_series_init_columns (self->series, self->n_fields, has_header ? first : NULL);
  for (guint i = has_header ? 1 : 0; i < pending->len && self->error == NULL; i++)
    recur_csv_reader_take_row (self, g_ptr_array_index (pending, i));
}

/* The first record is a header when one of its fields is text where the rows below hold numbers
 * or dates. Each later record settles the columns it can: a number or date under the text
 * decides "header", text under text rules that column out, a missing value tells nothing. */
static void
recur_csv_reader_vote_header (RecurCsvReader       *self,
                              const RecurCsvRecord *record)
{
  gboolean first = self->header_open == NULL;

  if (first)
    self->header_open = g_new0 (gboolean, self->n_fields);
  for (guint j = 0; j < self->n_fields; j++)
    {
      RecurValueKind kind;

      if (!first && !self->header_open[j])
        continue;
      kind = recur_classify_value (recur_csv_record_field (record, j), self->delimiter);
      if (first)
        {
          self->header_open[j] = kind == RECUR_VALUE_TEXT;
          self->n_header_open += kind == RECUR_VALUE_TEXT;
        }
      else if (kind == RECUR_VALUE_TEXT)
        {
          self->header_open[j] = FALSE;
          self->n_header_open--;
        }
      else if (kind != RECUR_VALUE_MISSING)
        {
          recur_csv_reader_decide_header (self, TRUE);
          return;
        }
    }
  if (self->n_header_open == 0)
    recur_csv_reader_decide_header (self, FALSE);
}

/* --- libcsv callbacks --------------------------------------------------------------------- */

static void
recur_csv_reader_take_record (RecurCsvReader *self)
{
  RecurCsvRecord *record = self->record;
  guint n = record->fields->len;

  self->record_bytes = 0;
  if (self->n_fields == 0)
    self->n_fields = n;
  if (n != self->n_fields)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_RAGGED_ROW,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "%s:%u: row has %u field, expected %u",
                                          "%s:%u: row has %u fields, expected %u", n),
                             self->display_name, record->line, n, self->n_fields);
      return;
    }
  if (self->header_decided)
    {
      recur_csv_reader_take_row (self, record);
      g_ptr_array_set_size (record->fields, 0);
      g_array_set_size (record->field_lines, 0);
      return;
    }
  g_ptr_array_add (self->pending, g_steal_pointer (&self->record));
  self->record = recur_csv_record_new ();
  recur_csv_reader_vote_header (self, record);
}

static void
recur_csv_on_field (void   *data,
                    size_t  length,
                    void   *user_data)
{
  RecurCsvReader *self = user_data;
  guint column = self->record->fields->len + 1;
  char *text;

  if (self->error != NULL)
    return;
  self->record_bytes += length;
  if (length > RECUR_CSV_MAX_FIELD_BYTES || column > RECUR_CSV_MAX_COLUMNS
      || self->record_bytes > RECUR_CSV_MAX_ROW_BYTES)
    {
      recur_csv_reader_fail_too_long (self, self->next_field_line, column);
      return;
    }
  /* libcsv passes NULL for an empty field when its buffer is not allocated yet */
  text = data != NULL ? g_strndup (data, length) : g_strdup ("");
  g_ptr_array_add (self->record->fields, g_strstrip (text));
  g_array_append_val (self->record->field_lines, self->next_field_line);
  /* The delimiter that ended this field is on the line being read: so is the next field. */
  self->next_field_line = self->feed_line;
}

static void
recur_csv_on_row (int   terminator G_GNUC_UNUSED,
                  void *user_data)
{
  RecurCsvReader *self = user_data;

  if (self->error != NULL)
    return;
  self->in_record = FALSE;
  recur_csv_reader_take_record (self);
}

/* libcsv skips blank lines and the spaces before a record, so a record starts on the first
 * line holding anything else. */
static gboolean
recur_csv_starts_record (const char *text,
                         gsize       length,
                         char        delimiter)
{
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == delimiter || (c != ' ' && c != '\t' && c != '\r' && c != '\n'))
        return TRUE;
    }
  return FALSE;
}

static void
recur_csv_reader_fail_parse (RecurCsvReader *self)
{
  guint column = self->record->fields->len + 1;
  g_autofree char *name = recur_csv_reader_column_name (self, column - 1);

  /* libcsv's buffer for a field grows through csv_field_realloc, which refuses past the limit */
  if (csv_error (&self->parser) == CSV_ENOMEM
      && self->parser.entry_size > RECUR_CSV_MAX_FIELD_BYTES)
    recur_csv_reader_fail_too_long (self, self->next_field_line, column);
  else if (csv_error (&self->parser) == CSV_ENOMEM)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_MEMORY,
                           _("%s:%u:%u: column “%s”: not enough memory for this field"),
                           self->display_name, self->feed_line, column, name);
  else if (csv_error (&self->parser) != CSV_EPARSE)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_IO, "%s:%u: %s", self->display_name,
                           self->feed_line, csv_strerror (csv_error (&self->parser)));
  else
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                           _("%s:%u:%u: column “%s”: stray quote; a field with quotes must be "
                             "enclosed in them, with each quote inside doubled (\"\")"),
                           self->display_name, self->feed_line, column, name);
}

/* Feeds libcsv one physical line at a time, so every callback knows the line it is on. */
static void
recur_csv_reader_feed (RecurCsvReader *self,
                       guint           number,
                       const char     *text,
                       gsize           length)
{
  gsize parsed;

  self->feed_line = number;
  if (!self->in_record && recur_csv_starts_record (text, length, self->delimiter))
    {
      self->in_record = TRUE;
      self->record->line = number;
      self->next_field_line = number;
    }
  parsed = csv_parse (&self->parser, text, length, recur_csv_on_field, recur_csv_on_row, self);
  if (parsed < length && self->error == NULL)
    recur_csv_reader_fail_parse (self);
}

/* --- Delimiter detection ------------------------------------------------------------------ */

static const char recur_csv_delimiters[] = { '\t', ';', ',' };

static void
recur_csv_count_delimiters (const RecurCsvLine *line,
                            guint              *counts,
                            gboolean           *quoted,
                            gboolean           *content)
{
  for (gsize i = 0; i < line->length; i++)
    {
      char c = line->text[i];

      if (c == '"')
        *quoted = !*quoted;
      if (c != ' ' && c != '\r' && c != '\n')
        *content = TRUE;
      for (guint k = 0; k < G_N_ELEMENTS (recur_csv_delimiters) && !*quoted; k++)
        counts[k] += c == recur_csv_delimiters[k];
    }
}

/* The candidate found outside quotes in the first record that splits the most of the first
 * records into that same number of fields. Ties go to tab, then ';' (such files often hold
 * decimal commas), then ','. With none of them, the file has one column. */
static char
recur_csv_sniff_delimiter (GPtrArray *lines)
{
  guint counts[G_N_ELEMENTS (recur_csv_delimiters)] = { 0 };
  guint first[G_N_ELEMENTS (recur_csv_delimiters)] = { 0 };
  guint votes[G_N_ELEMENTS (recur_csv_delimiters)] = { 0 };
  guint n_records = 0, best = 0;
  gboolean quoted = FALSE, content = FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      recur_csv_count_delimiters (g_ptr_array_index (lines, i), counts, &quoted, &content);
      if (quoted || !content)
        continue;   /* the record goes on, or the line was blank */
      for (guint k = 0; k < G_N_ELEMENTS (recur_csv_delimiters); k++)
        {
          if (n_records == 0)
            first[k] = counts[k];
          votes[k] += first[k] > 0 && counts[k] == first[k];
          counts[k] = 0;
        }
      n_records++;
      content = FALSE;
    }
  for (guint k = 1; k < G_N_ELEMENTS (recur_csv_delimiters); k++)
    if (votes[k] > votes[best])
      best = k;
  return votes[best] > 0 ? recur_csv_delimiters[best] : ',';
}

/* libcsv grows its buffer for a field with this, up to the limit and a little more (it keeps
 * a closing quote and the spaces after it until it knows the field has ended): the field's own
 * length is checked when libcsv hands it over. */
#define CSV_FIELD_SLACK (64 * 1024)

static void *
csv_field_realloc (void   *buffer,
                   size_t  size)
{
  return size > RECUR_CSV_MAX_FIELD_BYTES + CSV_FIELD_SLACK ? NULL : g_try_realloc (buffer, size);
}

static void
recur_csv_reader_start_parsing (RecurCsvReader *self)
{
  self->delimiter = recur_csv_sniff_delimiter (self->sniffed);
  /* STRICT_FINI makes csv_fini report a quote still open at the end of the file. */
  csv_init (&self->parser, CSV_STRICT | CSV_STRICT_FINI);
  csv_set_delim (&self->parser, (unsigned char) self->delimiter);
  csv_set_realloc_func (&self->parser, csv_field_realloc);
  /* libcsv grows the buffer by this much at a time (128 bytes by default: a long field would be
   * copied thousands of times) */
  csv_set_blk_size (&self->parser, CSV_FIELD_SLACK);
  csv_set_free_func (&self->parser, g_free);
  self->parsing = TRUE;
  for (guint i = 0; i < self->sniffed->len && self->error == NULL; i++)
    {
      const RecurCsvLine *line = g_ptr_array_index (self->sniffed, i);

      recur_csv_reader_feed (self, line->number, line->text, line->length);
    }
  g_ptr_array_set_size (self->sniffed, 0);
}

static void
recur_csv_reader_dispatch (RecurCsvReader *self,
                           guint           number,
                           const char     *text,
                           gsize           length)
{
  RecurCsvLine *line;

  if (self->parsing)
    {
      recur_csv_reader_feed (self, number, text, length);
      return;
    }
  line = g_malloc (sizeof *line + length);
  line->number = number;
  line->length = length;
  memcpy (line->text, text, length);
  g_ptr_array_add (self->sniffed, line);
  self->sniffed_bytes += length;
  if (self->line >= RECUR_CSV_SNIFF_LINES || self->sniffed_bytes >= RECUR_CSV_SNIFF_BYTES)
    recur_csv_reader_start_parsing (self);
}

/* --- Physical lines ----------------------------------------------------------------------- */

/* NUL bytes and invalid UTF-8 are found here, before libcsv, where the column is still known:
 * it counts characters from 1, as editors do. */
static gboolean
recur_csv_reader_check_text (RecurCsvReader *self,
                             guint           number,
                             const char     *text,
                             gsize           length)
{
  const char *end;
  guint column;

  if (g_utf8_validate (text, (gssize) length, &end))
    return TRUE;
  column = (guint) g_utf8_strlen (text, end - text) + 1;
  if (end < text + length && *end == '\0')
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_NUL_BYTE,
                           _("%s:%u:%u: NUL byte; this looks like a binary or UTF-16 file, "
                             "not UTF-8 text"),
                           self->display_name, number, column);
  else
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_NOT_UTF8,
                           _("%s:%u:%u: invalid UTF-8; save the file as UTF-8"),
                           self->display_name, number, column);
  return FALSE;
}

/* One physical line, with its terminator (a LF or a CR) unless it is the last. */
static void
recur_csv_reader_take_line (RecurCsvReader *self,
                            const char     *text,
                            gsize           length)
{
  guint number = ++self->line;
  gsize content;

  if (number == 1 && length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      text += 3;
      length -= 3;
    }
  content = length;
  if (content > 0 && (text[content - 1] == '\n' || text[content - 1] == '\r'))
    content--;
  if (recur_csv_reader_check_text (self, number, text, content))
    recur_csv_reader_dispatch (self, number, text, length);
}

static void
recur_csv_reader_end_line (RecurCsvReader *self,
                           const char     *text,
                           gsize           length)
{
  if (self->partial->len == 0)
    {
      recur_csv_reader_take_line (self, text, length);
      return;
    }
  if (self->partial->len + length > RECUR_CSV_MAX_ROW_BYTES)
    {
      recur_csv_reader_fail_too_long (self, self->line + 1, 0);
      return;
    }
  g_byte_array_append (self->partial, (const guint8 *) text, length);
  recur_csv_reader_take_line (self, (const char *) self->partial->data, self->partial->len);
  g_byte_array_set_size (self->partial, 0);
}

/* Splits a chunk into lines ended by LF, CR or CRLF, like an editor. A CR ends its line at
 * once, so a CRLF cut by the end of a chunk needs nothing special: its LF is passed on alone,
 * on the same line number, where libcsv skips it (or keeps it inside a quoted field). */
static void
recur_csv_reader_push (RecurCsvReader *self,
                       const char     *chunk,
                       gsize           length)
{
  gsize start = 0;

  for (gsize i = 0; i < length && self->error == NULL; i++)
    {
      char c = chunk[i];

      if (self->after_cr && c == '\n')
        {
          self->after_cr = FALSE;
          recur_csv_reader_dispatch (self, self->line, "\n", 1);
          start = i + 1;
          continue;
        }
      self->after_cr = FALSE;
      if (c != '\n' && c != '\r')
        continue;
      recur_csv_reader_end_line (self, chunk + start, i + 1 - start);
      start = i + 1;
      self->after_cr = c == '\r';
    }
  if (self->error == NULL && start < length)
    {
      if (self->partial->len + (length - start) > RECUR_CSV_MAX_ROW_BYTES)
        recur_csv_reader_fail_too_long (self, self->line + 1, 0);
      else
        g_byte_array_append (self->partial, (const guint8 *) chunk + start, length - start);
    }
}

/* --- The end of the file ------------------------------------------------------------------ */

static void
recur_csv_reader_fini (RecurCsvReader *self)
{
  guint column = self->record->fields->len + 1;
  g_autofree char *name = NULL;

  if (csv_fini (&self->parser, recur_csv_on_field, recur_csv_on_row, self) == 0
      || self->error != NULL)
    return;
  name = recur_csv_reader_column_name (self, column - 1);
  recur_csv_reader_fail (self, RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                         _("%s:%u:%u: column “%s”: the quoted field that starts here is not "
                           "closed before the end of the file"),
                         self->display_name, self->next_field_line, column, name);
}

static gboolean
recur_series_has_numeric_column (const RecurSeries *self)
{
  for (guint j = 0; j < self->n_columns; j++)
    if (self->columns[j].type == RECUR_COLUMN_NUMERIC)
      return TRUE;
  return FALSE;
}

static void
recur_csv_reader_complete (RecurCsvReader *self)
{
  RecurSeries *series = self->series;

  if (self->n_fields == 0)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_EMPTY,
                             _("%s: the file is empty"), self->display_name);
      return;
    }
  /* Text in the first record above nothing but missing values: names, most likely. */
  if (!self->header_decided)
    recur_csv_reader_decide_header (self, TRUE);
  if (self->error != NULL)
    return;
  if (series->n_rows == 0)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_ROWS,
                             _("%s: there are no data rows below the header"),
                             self->display_name);
      return;
    }
  if (!recur_series_has_numeric_column (series))
    {
      g_autofree char *message = recur_series_describe_no_numbers (series, self->display_name);

      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_NUMERIC_COLUMN, "%s", message);
      return;
    }
  if (series->time_column >= 0)
    {
      const gint64 *t = series->timestamps.data;
      guint n = series->timestamps.len;
      series->frequency = recur_frequency_infer (t, n);
      series->median_step = n >= 2 ? recur_median_step (t, n) : 1;
    }
}

static RecurSeries *
recur_csv_reader_finish (RecurCsvReader  *self,
                         GError         **error)
{
  if (self->error == NULL && self->partial->len > 0)
    {
      recur_csv_reader_take_line (self, (const char *) self->partial->data, self->partial->len);
      g_byte_array_set_size (self->partial, 0);
    }
  if (self->error == NULL && !self->parsing)
    recur_csv_reader_start_parsing (self);
  if (self->error == NULL)
    recur_csv_reader_fini (self);
  if (self->error == NULL)
    recur_csv_reader_complete (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return NULL;
    }
  return g_steal_pointer (&self->series);
}

static void
recur_csv_reader_read_file (RecurCsvReader *self,
                            FILE           *file)
{
  g_autofree char *chunk = g_malloc (RECUR_CSV_CHUNK_SIZE);
  gsize n;

  do
    {
      n = fread (chunk, 1, RECUR_CSV_CHUNK_SIZE, file);
      recur_csv_reader_push (self, chunk, n);
    }
  while (n == RECUR_CSV_CHUNK_SIZE && self->error == NULL);

  if (ferror (file))
    {
      int saved_errno = errno;

      recur_csv_reader_fail (self, RECUR_CSV_ERROR_IO, _("%s: cannot read the file: %s"),
                             self->display_name, g_strerror (saved_errno));
    }
}

RecurSeries *
recur_series_load_csv (const char  *path,
                       GError     **error)
{
  g_autoptr(RecurCsvReader) reader = NULL;
  g_autofree char *display_name = NULL;
  FILE *file;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_filename_display_name (path);
  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_IO, _("%s: cannot open the file: %s"),
                   display_name, g_strerror (saved_errno));
      return NULL;
    }
  reader = recur_csv_reader_new (path, display_name);
  recur_csv_reader_read_file (reader, file);
  fclose (file);
  return recur_csv_reader_finish (reader, error);
}

RecurSeries *
recur_series_load_csv_data (const char  *data,
                            gsize        length,
                            const char  *display_name,
                            GError     **error)
{
  g_autoptr(RecurCsvReader) reader = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader = recur_csv_reader_new (display_name, display_name);
  /* The same chunked path as a file, so both behave alike. */
  for (gsize offset = 0; offset < length && reader->error == NULL; offset += RECUR_CSV_CHUNK_SIZE)
    recur_csv_reader_push (reader, data + offset, MIN (RECUR_CSV_CHUNK_SIZE, length - offset));
  return recur_csv_reader_finish (reader, error);
}
