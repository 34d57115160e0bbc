import { render, screen } from '@testing-library/react';
import { StrictMode, version } from 'react';
import { version as domVersion } from 'react-dom';
import { describe, expect, it } from 'vitest';

describe('the React under test', () => {
  it('is one React for react and react-dom, the one the project names', ({ task }) => {
    expect(domVersion).toBe(version);
    expect(version.split('.')[0]).toBe(task.file.projectName === 'react-18' ? '18' : '19');
    render(
      <StrictMode>
        <p>React {version}</p>
      </StrictMode>,
    );
    expect(screen.getByText(`React ${version}`)).toBeTruthy();
  });
});
