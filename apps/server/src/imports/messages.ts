import { defineMessages } from '../platform/messages.js';

/** What imports tells a person, in English and Spanish (see platform/messages.ts). */
export const im = defineMessages('imports', {
  kind: { en: 'kind must be one of {kinds}', es: 'kind debe ser uno de {kinds}' },
  file_required: {
    en: 'file is required: the CSV as a multipart file part',
    es: 'file es obligatorio: el CSV como parte de archivo multipart',
  },
  source_name_long: {
    en: 'sourceName is longer than 200 characters',
    es: 'sourceName tiene más de 200 caracteres',
  },
  mapping_or_preset: {
    en: 'give either a mapping or a preset, not both',
    es: 'indica una correspondencia (mapping) o un preajuste (preset), no ambos',
  },
  import_not_found: { en: 'Import not found', es: 'No se encontró la importación' },
  preset: { en: 'preset must be one of {presets}', es: 'preset debe ser uno de {presets}' },
  preset_kind: {
    en: 'preset {preset} imports {presetKind}, not {kind}',
    es: 'el preajuste {preset} importa {presetKind}, no {kind}',
  },
  preset_layout: {
    en: 'The file does not have the {preset} layout: no column {columns}',
    es: 'El archivo no tiene la estructura de {preset}: falta la columna {columns}',
  },
  not_csv: { en: 'The file is not valid CSV: {detail}', es: 'El archivo no es un CSV válido: {detail}' },
  no_header: { en: 'The file has no header row', es: 'El archivo no tiene fila de encabezados' },
  mapping_required: {
    en: 'mapping is required (a JSON object: CSV column → Kith field)',
    es: 'mapping es obligatorio (un objeto JSON: columna del CSV → campo de Kith)',
  },
  mapping_json: {
    en: 'mapping must be a JSON object: CSV column → Kith field',
    es: 'mapping debe ser un objeto JSON: columna del CSV → campo de Kith',
  },
  mapping_empty: {
    en: 'mapping must be a non-empty JSON object: CSV column → Kith field',
    es: 'mapping debe ser un objeto JSON no vacío: columna del CSV → campo de Kith',
  },
  field_name: { en: '{name} must be a Kith field name', es: '{name} debe ser el nombre de un campo de Kith' },
  not_a_field: {
    en: '{name}: "{field}" is not a {kind} field (use one of {fields})',
    es: '{name}: "{field}" no es un campo de {kind} (usa uno de {fields})',
  },
  fields_or_traits: { en: '{fields}, or traits.<name>', es: '{fields}, o traits.<nombre>' },
  no_column: {
    en: '{name}: the file has no column "{column}"',
    es: '{name}: el archivo no tiene la columna "{column}"',
  },
  mapped_twice: {
    en: '{name}: "{field}" is mapped from more than one column',
    es: '{name}: "{field}" está asignado desde más de una columna',
  },
  needs_identifier: {
    en: 'mapping needs an identifier column for customers (one of {fields})',
    es: 'mapping necesita una columna identificadora para clientes (una de {fields})',
  },
  needs_order_column: {
    en: 'mapping needs a {required} column for orders',
    es: 'mapping necesita una columna {required} para pedidos',
  },
  needs_product_id: {
    en: 'mapping needs a productId column for products',
    es: 'mapping necesita una columna productId para productos',
  },
  multipart: { en: 'Send the CSV as multipart/form-data', es: 'Envía el CSV como multipart/form-data' },
  unexpected_file: {
    en: 'Unexpected file part "{part}"; use "file"',
    es: 'Parte de archivo inesperada "{part}"; usa "file"',
  },
  unknown_part: { en: 'Unknown field "{part}"', es: 'Campo desconocido "{part}"' },
  too_large: { en: 'The file is larger than {max} bytes', es: 'El archivo ocupa más de {max} bytes' },
  upload_failed: { en: 'The upload could not be read: {detail}', es: 'No se pudo leer el archivo enviado: {detail}' },
});
