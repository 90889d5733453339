/**
 * Every vaccine product a child in the region may have had since 2007, as inbound
 * immunisation events name them. `code` is what the record stores (immunisation_events.vaccine);
 * a sender may give a SNOMED CT code instead, where the national feeds use one.
 *
 * SNOMED CT codes are listed only where a national feed is known to send them: the product
 * (dm+d) and procedure codes of NHS England's school-age service "Manage vaccinations in
 * schools" (source `mavis-snomed`) and the international MMR/MMRV/varicella procedure
 * concepts. Infant products have no verified code list here yet: senders use the product code.
 */
import type { SourceId } from './sources';

export type Antigen =
  | 'diphtheria'
  | 'tetanus'
  | 'pertussis'
  | 'polio'
  | 'hib'
  | 'hepatitis_b'
  | 'menc'
  | 'meningococcal_acwy'
  | 'menb'
  | 'pneumococcal'
  | 'rotavirus'
  | 'measles'
  | 'mumps'
  | 'rubella'
  | 'varicella'
  | 'hpv'
  | 'tuberculosis'
  | 'influenza';

export interface SnomedCode {
  readonly code: string;
  /** A dm+d product (what was given) or a vaccination procedure (that it was given). */
  readonly kind: 'product' | 'procedure';
  readonly description: string;
  /** For procedure codes that name the dose (e.g. second dose of MMRV). */
  readonly dose?: number;
}

export interface VaccineProduct {
  readonly code: string;
  readonly name: string;
  readonly brands: readonly string[];
  readonly antigens: readonly Antigen[];
  /** routine: in the schedule's rules; selective: given to children at risk; seasonal: yearly programme. */
  readonly programme: 'routine' | 'selective' | 'seasonal';
  readonly snomed: readonly SnomedCode[];
  readonly sources: readonly SourceId[];
}

const DTP_POLIO: readonly Antigen[] = ['diphtheria', 'tetanus', 'pertussis', 'polio'];
const MMR: readonly Antigen[] = ['measles', 'mumps', 'rubella'];

export const PRODUCTS: readonly VaccineProduct[] = [
  {
    code: '6in1',
    name: 'DTaP/IPV/Hib/HepB (6-in-1)',
    brands: ['Infanrix hexa', 'Vaxelis'],
    antigens: [...DTP_POLIO, 'hib', 'hepatitis_b'],
    programme: 'routine',
    snomed: [],
    sources: ['hexavalent-guidance'],
  },
  {
    code: 'dtap-ipv-hib',
    name: 'DTaP/IPV/Hib (5-in-1, infants born before 1 August 2017)',
    brands: ['Pediacel', 'Infanrix-IPV+Hib'],
    antigens: [...DTP_POLIO, 'hib'],
    programme: 'routine',
    snomed: [],
    sources: ['hexavalent-guidance'],
  },
  {
    code: 'dtap-ipv',
    name: 'dTaP/IPV or DTaP/IPV (4-in-1 pre-school booster)',
    brands: ['Repevax', 'Boostrix-IPV', 'Infanrix-IPV'],
    antigens: DTP_POLIO,
    programme: 'routine',
    snomed: [],
    sources: ['schedule-2025-07'],
  },
  {
    code: 'td-ipv',
    name: 'Td/IPV (3-in-1 teenage booster)',
    brands: ['Revaxis'],
    antigens: ['tetanus', 'diphtheria', 'polio'],
    programme: 'routine',
    snomed: [
      {
        code: '7374511000001107',
        kind: 'product',
        description: 'Revaxis vaccine suspension for injection 0.5ml pre-filled syringes',
      },
      { code: '866186002', kind: 'procedure', description: 'Td/IPV vaccination' },
    ],
    sources: ['schedule-2025-07', 'mavis-snomed'],
  },
  {
    code: 'hib-menc',
    name: 'Hib/MenC',
    brands: ['Menitorix'],
    antigens: ['hib', 'menc'],
    programme: 'routine',
    snomed: [],
    sources: ['hexavalent-guidance', 'vaccine-update-359'],
  },
  {
    code: 'menc',
    name: 'MenC (infant doses until 30 June 2016)',
    brands: ['NeisVac-C', 'Menjugate', 'Meningitec'],
    antigens: ['menc'],
    programme: 'routine',
    snomed: [],
    sources: ['menc-2013', 'menc-2016'],
  },
  {
    code: 'pcv',
    name: 'Pneumococcal conjugate vaccine (PCV7 until 2010, then PCV13)',
    brands: ['Prevenar', 'Prevenar 13'],
    antigens: ['pneumococcal'],
    programme: 'routine',
    snomed: [],
    sources: ['pcv-2020'],
  },
  {
    code: 'menb',
    name: 'MenB',
    brands: ['Bexsero'],
    antigens: ['menb'],
    programme: 'routine',
    snomed: [],
    sources: ['menb-2015'],
  },
  {
    code: 'rotavirus',
    name: 'Rotavirus (oral)',
    brands: ['Rotarix'],
    antigens: ['rotavirus'],
    programme: 'routine',
    snomed: [],
    sources: ['routine-2013'],
  },
  {
    code: 'mmr',
    name: 'MMR',
    brands: ['M-M-RvaxPro', 'Priorix'],
    antigens: MMR,
    programme: 'routine',
    snomed: [
      {
        code: '34925111000001104',
        kind: 'product',
        description: 'Priorix vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes',
      },
      {
        code: '13968211000001108',
        kind: 'product',
        description: 'M-M-RVAXPRO vaccine powder and solvent for suspension for injection 0.5ml pre-filled syringes',
      },
      {
        code: '38598009',
        kind: 'procedure',
        description: 'Administration of vaccine product containing only measles, mumps and rubella antigens',
      },
      { code: '170433008', kind: 'procedure', description: 'Administration of second dose of MMR vaccine', dose: 2 },
    ],
    sources: ['schedule-2025-07', 'mavis-snomed', 'snomed-mmr-procedures'],
  },
  {
    code: 'mmrv',
    name: 'MMRV',
    brands: ['ProQuad', 'Priorix-Tetra'],
    antigens: [...MMR, 'varicella'],
    programme: 'routine',
    snomed: [
      {
        code: '45480711000001107',
        kind: 'product',
        description: 'ProQuad vaccine powder and solvent for suspension for injection 0.5ml pre-filled syringes',
      },
      {
        code: '45525711000001102',
        kind: 'product',
        description: 'Priorix Tetra vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes',
      },
      { code: '432636005', kind: 'procedure', description: 'Administration of MMRV vaccine', dose: 1 },
      { code: '433733003', kind: 'procedure', description: 'Administration of second dose of MMRV vaccine', dose: 2 },
    ],
    sources: ['mmrv-2026', 'mavis-snomed', 'snomed-mmr-procedures'],
  },
  {
    code: 'varicella',
    name: 'Varicella (chickenpox)',
    brands: ['Varivax', 'Varilrix'],
    antigens: ['varicella'],
    programme: 'selective',
    snomed: [
      {
        code: '425897001',
        kind: 'procedure',
        description: 'Administration of first dose of varicella vaccine',
        dose: 1,
      },
      {
        code: '428502009',
        kind: 'procedure',
        description: 'Administration of second dose of varicella vaccine',
        dose: 2,
      },
    ],
    sources: ['snomed-mmr-procedures'],
  },
  {
    code: 'menacwy',
    name: 'MenACWY',
    brands: ['Nimenrix', 'Menveo', 'MenQuadfi'],
    antigens: ['meningococcal_acwy'],
    programme: 'routine',
    snomed: [
      {
        code: '20517811000001104',
        kind: 'product',
        description: 'Nimenrix vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes',
      },
      {
        code: '17188711000001105',
        kind: 'product',
        description: 'Menveo vaccine powder and solvent for solution for injection 0.5ml vials',
      },
      {
        code: '39779611000001104',
        kind: 'product',
        description: 'MenQuadfi vaccine solution for injection 0.5ml vials',
      },
      { code: '871874000', kind: 'procedure', description: 'MenACWY vaccination' },
    ],
    sources: ['menacwy-2015', 'mavis-snomed'],
  },
  {
    code: 'hpv',
    name: 'HPV',
    brands: ['Cervarix', 'Gardasil', 'Gardasil 9'],
    antigens: ['hpv'],
    programme: 'routine',
    snomed: [
      {
        code: '12238911000001100',
        kind: 'product',
        description: 'Cervarix vaccine suspension for injection 0.5ml pre-filled syringes',
      },
      {
        code: '10880211000001104',
        kind: 'product',
        description: 'Gardasil vaccine suspension for injection 0.5ml pre-filled syringes',
      },
      {
        code: '33493111000001108',
        kind: 'product',
        description: 'Gardasil 9 vaccine suspension for injection 0.5ml pre-filled syringes',
      },
      { code: '761841000', kind: 'procedure', description: 'HPV vaccination' },
    ],
    sources: ['hpv-2019', 'hpv-2023', 'mavis-snomed'],
  },
  {
    code: 'hepb',
    name: 'Hepatitis B (selective neonatal programme)',
    brands: ['Engerix B', 'HBvaxPRO'],
    antigens: ['hepatitis_b'],
    programme: 'selective',
    snomed: [],
    sources: ['hexavalent-guidance'],
  },
  {
    code: 'bcg',
    name: 'BCG (selective neonatal programme)',
    brands: ['BCG Vaccine AJV'],
    antigens: ['tuberculosis'],
    programme: 'selective',
    snomed: [],
    sources: ['green-book-11'],
  },
  {
    code: 'flu',
    name: 'Influenza (children’s yearly programme: nasal LAIV, or injection)',
    brands: ['Fluenz', 'Fluenz Tetra'],
    antigens: ['influenza'],
    programme: 'seasonal',
    snomed: [
      {
        code: '43208811000001106',
        kind: 'product',
        description: 'Fluenz (trivalent) vaccine nasal suspension 0.2ml unit dose',
      },
      { code: '884861000000100', kind: 'procedure', description: 'First nasal influenza vaccination', dose: 1 },
      { code: '884881000000109', kind: 'procedure', description: 'Second nasal influenza vaccination', dose: 2 },
      { code: '985151000000100', kind: 'procedure', description: 'First injected influenza vaccination', dose: 1 },
      { code: '985171000000109', kind: 'procedure', description: 'Second injected influenza vaccination', dose: 2 },
    ],
    sources: ['schedule-2025-07', 'mavis-snomed'],
  },
];

const BY_CODE = new Map(PRODUCTS.map((p) => [p.code, p]));
const BY_SNOMED = new Map(PRODUCTS.flatMap((p) => p.snomed.map((s) => [s.code, { product: p, snomed: s }] as const)));

export function productByCode(code: string): VaccineProduct | undefined {
  return BY_CODE.get(code);
}

/** The product a SNOMED CT code names, and the code's own entry (kind, dose). */
export function productBySnomed(code: string): { product: VaccineProduct; snomed: SnomedCode } | undefined {
  return BY_SNOMED.get(code);
}

export const PRODUCT_CODES: readonly string[] = PRODUCTS.map((p) => p.code);
