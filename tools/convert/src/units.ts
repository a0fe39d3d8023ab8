/** Kinds of physical quantity the unit table covers. */
export type UnitCategory = 'length' | 'mass' | 'volume' | 'temperature'

/** A unit: its symbol, kind, size in the kind's base unit (m, kg, m³, K) and other names. */
export type Unit = {
  symbol: string
  name: string
  category: UnitCategory
  /** Base units per unit (for temperatures: kelvins per degree). */
  factor: number
  /** Added after scaling to reach the base unit (temperatures only). */
  offset?: number
  aliases: readonly string[]
}

const u = (
  symbol: string,
  name: string,
  category: UnitCategory,
  factor: number,
  aliases: readonly string[] = [],
  offset?: number,
): Unit => ({
  symbol,
  name,
  category,
  factor,
  aliases,
  ...(offset !== undefined ? { offset } : {}),
})

/**
 * The bundled units. Exact by definition wherever one exists (the inch is 0.0254 m, the pound
 * 0.45359237 kg, the US gallon 231 in³); US customary volumes, not imperial, unless named so.
 */
export const units: readonly Unit[] = [
  u('m', 'metre', 'length', 1, ['meter', 'meters', 'metre', 'metres']),
  u('km', 'kilometre', 'length', 1_000, ['kilometer', 'kilometers', 'kilometre', 'kilometres']),
  u('cm', 'centimetre', 'length', 0.01, ['centimeter', 'centimeters', 'centimetre', 'centimetres']),
  u('mm', 'millimetre', 'length', 0.001, [
    'millimeter',
    'millimeters',
    'millimetre',
    'millimetres',
  ]),
  u('um', 'micrometre', 'length', 1e-6, ['µm', 'micrometer', 'micrometers', 'micron', 'microns']),
  u('nm', 'nanometre', 'length', 1e-9, ['nanometer', 'nanometers']),
  u('in', 'inch', 'length', 0.0254, ['inch', 'inches', '"']),
  u('ft', 'foot', 'length', 0.3048, ['foot', 'feet', "'"]),
  u('yd', 'yard', 'length', 0.9144, ['yard', 'yards']),
  u('mi', 'mile', 'length', 1_609.344, ['mile', 'miles']),
  u('nmi', 'nautical mile', 'length', 1_852, ['nautical mile', 'nautical miles']),
  u('kg', 'kilogram', 'mass', 1, ['kilogram', 'kilograms', 'kilo', 'kilos']),
  u('g', 'gram', 'mass', 0.001, ['gram', 'grams', 'gramme', 'grammes']),
  u('mg', 'milligram', 'mass', 1e-6, ['milligram', 'milligrams']),
  u('t', 'tonne', 'mass', 1_000, ['tonne', 'tonnes', 'metric ton', 'metric tons']),
  u('lb', 'pound', 'mass', 0.453_592_37, ['lbs', 'pound', 'pounds']),
  u('oz', 'ounce', 'mass', 0.028_349_523_125, ['ounce', 'ounces']),
  u('st', 'stone', 'mass', 6.350_293_18, ['stone', 'stones']),
  u('m3', 'cubic metre', 'volume', 1, ['m³', 'cubic meter', 'cubic meters', 'cubic metre']),
  u('l', 'litre', 'volume', 0.001, ['liter', 'liters', 'litre', 'litres']),
  u('dl', 'decilitre', 'volume', 1e-4, ['deciliter', 'deciliters', 'decilitre', 'decilitres']),
  u('cl', 'centilitre', 'volume', 1e-5, ['centiliter', 'centiliters', 'centilitre']),
  u('ml', 'millilitre', 'volume', 1e-6, ['milliliter', 'milliliters', 'millilitre', 'cc']),
  u('gal', 'US gallon', 'volume', 0.003_785_411_784, ['gallon', 'gallons', 'us gal']),
  u('qt', 'US quart', 'volume', 0.000_946_352_946, ['quart', 'quarts']),
  u('pt', 'US pint', 'volume', 0.000_473_176_473, ['pint', 'pints']),
  u('cup', 'US cup', 'volume', 0.000_236_588_236_5, ['cups']),
  u('floz', 'US fluid ounce', 'volume', 2.957_352_956_25e-5, ['fl oz', 'fluid ounce']),
  u('tbsp', 'tablespoon', 'volume', 1.478_676_478_125e-5, ['tablespoon', 'tablespoons']),
  u('tsp', 'teaspoon', 'volume', 4.928_921_593_75e-6, ['teaspoon', 'teaspoons']),
  u('impgal', 'imperial gallon', 'volume', 0.004_546_09, ['imperial gallon', 'imp gal']),
  u('ft3', 'cubic foot', 'volume', 0.028_316_846_592, ['ft³', 'cubic foot', 'cubic feet']),
  u('in3', 'cubic inch', 'volume', 1.638_706_4e-5, ['in³', 'cubic inch', 'cubic inches']),
  u('K', 'kelvin', 'temperature', 1, ['kelvin', 'kelvins'], 0),
  u('C', 'degree Celsius', 'temperature', 1, ['°c', 'celsius', 'degc', 'degrees celsius'], 273.15),
  u(
    'F',
    'degree Fahrenheit',
    'temperature',
    5 / 9,
    ['°f', 'fahrenheit', 'degf', 'degrees fahrenheit'],
    273.15 - (32 * 5) / 9,
  ),
]

const byName = new Map<string, Unit>()
for (const unit of units)
  for (const name of [unit.symbol, unit.name, ...unit.aliases]) byName.set(name.toLowerCase(), unit)

/** A unit by symbol, name or alias, ignoring case and surrounding space; undefined if unknown. */
export function findUnit(name: string): Unit | undefined {
  return byName.get(name.trim().toLowerCase())
}
