/**
 * The published sources the rules come from. Each rule and product names its sources by id;
 * docs/immunisation-schedule.md lists them with the rules.
 */
export interface Source {
  readonly title: string;
  readonly publisher: string;
  readonly url: string;
}

export const SOURCES = {
  'schedule-2025-07': {
    title: 'Complete routine immunisation schedule from 1 July 2025',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/the-complete-routine-immunisation-schedule/complete-routine-immunisation-schedule-from-1-july-2025',
  },
  'changes-letter-2025': {
    title:
      'Changes to the routine childhood vaccination schedule from 1 July 2025 and 1 January 2026, Annexe A (30 April 2025)',
    publisher: 'UKHSA and NHS England',
    url: 'https://www.gov.uk/government/publications/changes-to-the-routine-childhood-schedule-letter/annexe-a-the-new-routine-childhood-vaccination-schedule',
  },
  'changes-practitioners-2025': {
    title: 'Childhood schedule changes from 1 July 2025: information for healthcare practitioners',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/childhood-schedule-changes-from-1-july-2025-information-for-healthcare-practitioners/childhood-schedule-changes-from-1-july-2025-information-for-healthcare-practitioners',
  },
  'vaccine-update-359': {
    title: 'Vaccine update: issue 359, June 2025, childhood changes special',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/vaccine-update-issue-359-june-2025-childhood-schedule-changes-special/vaccine-update-issue-359-june-2025-childhood-changes-special',
  },
  'mmrv-2026': {
    title: 'MMRV vaccination eligibility by date of birth (summary of the UKHSA MMRV programme from 1 January 2026)',
    publisher: 'Londonwide LMCs',
    url: 'https://www.lmc.org.uk/resources/mmrv-vaccine-update',
  },
  'uncertain-status-2025': {
    title: 'Vaccination of individuals with uncertain or incomplete immunisation status: from 1 July 2025',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/vaccination-of-individuals-with-uncertain-or-incomplete-immunisation-status/vaccination-of-individuals-with-uncertain-or-incomplete-immunisation-status-from-1-july-2025',
  },
  'hexavalent-guidance': {
    title:
      'Hexavalent DTaP/IPV/Hib/HepB combination vaccine: information for healthcare practitioners (5-in-1 from 2004, Hib/MenC from 2006, 6-in-1 for babies born on or after 1 August 2017)',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/hexavalent-combination-vaccine-programme-guidance/hexavalent-dtapipvhibhepb-combination-vaccine-information-for-healthcare-practitioners',
  },
  'pcv-2020': {
    title:
      'Pneumococcal vaccination: guidance for health professionals (1+1 schedule for infants born on or after 1 January 2020; 2+1 before)',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/pneumococcal-vaccination-guidance-for-health-professionals',
  },
  'menb-2015': {
    title:
      'MenB added to the routine schedule from 1 September 2015 for babies born on or after 1 July 2015, with a catch-up for babies born 1 May to 30 June 2015',
    publisher: 'Public Health England (via the NITAG resource centre)',
    url: 'http://www.nitag-resource.org/news-and-events/news/28-public-health-england-officially-introduces-menb-vaccine-for-infants',
  },
  'routine-2013': {
    title:
      'Routine childhood immunisations from June 2013 (rotavirus at 2 and 3 months; second MenC dose at 4 months withdrawn)',
    publisher: 'Public Health England',
    url: 'https://www.gov.uk/government/publications/routine-childhood-immunisations-from-june-2013',
  },
  'menc-2013': {
    title: 'Changes to the MenC vaccination schedule from June 2013',
    publisher: 'Oxford Vaccine Group, Vaccine Knowledge Project',
    url: 'https://vk.ovg.ox.ac.uk/vk/menc-schedule',
  },
  'menc-2016': {
    title: 'MenC vaccine for 12-week-old babies discontinued from 1 July 2016',
    publisher: 'NHS',
    url: 'https://www.nhs.uk/Conditions/vaccinations/Pages/men-c-vaccine.aspx',
  },
  'menacwy-2015': {
    title: 'Infant MenC dose removed from 1 July 2016; adolescent MenACWY programme introduced September 2015',
    publisher: 'Institute of Health Visiting (reporting PHE)',
    url: 'https://ihv.org.uk/news_tag/meningococcal-c/',
  },
  'hpv-2019': {
    title:
      'HPV universal immunisation programme implementation letter (boys and girls in year 8 from 1 September 2019)',
    publisher: 'Public Health England and NHS England',
    url: 'https://www.gov.uk/government/publications/hpv-universal-immunisation-programme-implementation-letter',
  },
  'hpv-2023': {
    title:
      'HPV vaccination programme: changes from September 2023 letter (one dose; one dose already given counts as complete; eligible to the 25th birthday)',
    publisher: 'UKHSA (reported by Community Practitioner)',
    url: 'https://www.communitypractitioner.co.uk/england-just-a-single-dose-of-the-hpv-vaccine-required-from-september-2023/',
  },
  'green-book-11': {
    title: 'Immunisation against infectious disease (the Green Book), chapter 11: the UK immunisation schedule',
    publisher: 'UKHSA',
    url: 'https://www.gov.uk/government/publications/immunisation-schedule-the-green-book-chapter-11',
  },
  'mavis-snomed': {
    title:
      'Manage vaccinations in schools: vaccine products (config/vaccines.yml) and vaccination procedure codes (app/models/vaccine.rb)',
    publisher: 'NHS England',
    url: 'https://github.com/nhsuk/manage-vaccinations-in-schools',
  },
  'snomed-mmr-procedures': {
    title:
      'SNOMED CT international procedure concepts for MMR, MMRV and varicella vaccination (as listed in the eCQM value sets for childhood immunisation)',
    publisher: 'SNOMED International / NLM VSAC',
    url: 'https://vsac.nlm.nih.gov/valueset/2.16.840.1.113883.3.464.1003.110.12.1031/expansion',
  },
} as const satisfies Record<string, Source>;

export type SourceId = keyof typeof SOURCES;
