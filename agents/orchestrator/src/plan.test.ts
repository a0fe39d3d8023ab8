import { profileDataset } from '@gotong/tool-dataset-stats'
import { describe, expect, test } from 'vitest'
import { planJob, textColumns } from './plan.js'

const steps = (goal: string) => planJob(goal).map((step) => step.capability)
const all = ['statistics', 'dedupe', 'keywords', 'sentiment', 'summarize']

describe('planJob', () => {
  test('a profile, report, analysis or overview gets every step', () => {
    expect(steps('profile this dataset and write a short report')).toEqual(all)
    expect(steps('Analyse these reviews')).toEqual(all)
    expect(steps('give me an overview')).toEqual(all)
  })

  test('named steps only, statistics first', () => {
    expect(steps('how many duplicates are there?')).toEqual(['statistics', 'dedupe'])
    expect(steps('what is the tone, and the main topics?')).toEqual([
      'statistics',
      'keywords',
      'sentiment',
    ])
    expect(steps('tl;dr please')).toEqual(['statistics', 'summarize'])
  })

  test('a goal it cannot read gets every step', () => {
    expect(steps('hmm')).toEqual(all)
    expect(planJob('dedupe').map((s) => s.purpose)).toEqual([
      'profile every column',
      'find duplicate rows',
    ])
  })
})

describe('textColumns', () => {
  test('string columns of free text, not codes or names', () => {
    const profile = profileDataset([
      { id: 1, city: 'Jakarta', review: 'The battery lasts for two whole days.' },
      { id: 2, city: 'Bandung', review: 'Slow shipping but the screen is lovely.' },
    ])
    expect(textColumns(profile)).toEqual(['review'])
    expect(textColumns(profile, 5)).toEqual(['city', 'review'])
  })
})
