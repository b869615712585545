import type { Page } from '../../services/pagination';

/** The guide's pagination block (section 4.2), the same for every list. */
export function presentPagination(page: Page<unknown>) {
  const totalPages = Math.ceil(page.total / page.limit);
  return {
    currentPage: page.page,
    totalPages,
    totalItems: page.total,
    itemsPerPage: page.limit,
    hasNextPage: page.page < totalPages,
    hasPreviousPage: page.page > 1,
  };
}
